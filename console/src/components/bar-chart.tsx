// Bar charts: vertical bars for a time series, horizontal bars for rankings. Every label is HTML
// text at the page's own size: SVG text scales with the chart's width and became unreadable
// (about 7 px) in a third of a 1280-pixel page, so SVG draws only the bars.
import { usd } from '../format.ts';

export interface Bar {
  label: string;
  value: number;
  /** Shown on hover and beside horizontal bars. */
  caption: string;
  /** Longer text on hover, e.g. what a grouped bar holds. */
  detail?: string;
}

/** At most this many axis labels, so they never crowd (about 40 px each). */
const MAX_AXIS_LABELS = 8;

export function ColumnChart(props: { title: string; bars: Bar[]; axisLabel?(label: string): string }) {
  const height = 100;
  const max = Math.max(...props.bars.map((bar) => bar.value), 0);
  const count = Math.max(props.bars.length, 1);
  const labelEvery = Math.ceil(props.bars.length / MAX_AXIS_LABELS);
  const axisLabel = props.axisLabel ?? ((label: string) => label);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg class="columns" viewBox={`0 0 ${count} ${height}`} preserveAspectRatio="none" role="img" aria-label={props.title}>
        {props.bars.map((bar, index) => {
          const barHeight = max > 0 ? (bar.value / max) * (height - 4) : 0;
          return (
            <rect key={bar.label} x={index + 0.15} y={height - barHeight} width={0.7} height={barHeight} class="bar">
              <title>{`${bar.label}: ${bar.caption}`}</title>
            </rect>
          );
        })}
      </svg>
      <div class="axis-labels" aria-hidden="true">
        {props.bars.map((bar, index) =>
          index % labelEvery === 0 ? (
            <span key={bar.label} style={{ left: `${((index + 0.5) / count) * 100}%` }}>
              {axisLabel(bar.label)}
            </span>
          ) : null,
        )}
      </div>
    </figure>
  );
}

export function RankingChart(props: { title: string; bars: Bar[]; note?: string | null }) {
  const max = Math.max(...props.bars.map((bar) => bar.value), 0);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      {props.bars.length === 0 ? (
        <p class="muted">No usage in this period.</p>
      ) : (
        <ol class="ranking" aria-label={props.title}>
          {props.bars.map((bar) => (
            <li key={bar.label} data-label={bar.label} title={`${bar.detail ?? bar.label}: ${bar.caption}`}>
              <span class="label">{bar.label}</span>
              <span class="track">
                <span class="bar" style={{ width: `${max > 0 ? Math.max((bar.value / max) * 100, 0.5) : 0.5}%` }} />
              </span>
              <span class="caption">{bar.caption}</span>
            </li>
          ))}
        </ol>
      )}
      {props.note && <p class="chart-note">{props.note}</p>}
    </figure>
  );
}

export const spendBar = (label: string, cost: string, requests: number, detail?: string): Bar => ({
  label,
  value: Number(cost),
  caption: `${usd(cost)} · ${requests} req`,
  ...(detail ? { detail } : {}),
});
