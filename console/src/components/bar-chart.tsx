// Bar charts as inline SVG: vertical bars for a time series, horizontal bars for rankings.
import { usd } from '../format.ts';

export interface Bar {
  label: string;
  value: number;
  /** Shown on hover and beside horizontal bars. */
  caption: string;
}

export function ColumnChart(props: { title: string; bars: Bar[]; height?: number }) {
  const height = props.height ?? 160;
  const max = Math.max(...props.bars.map((bar) => bar.value), 0);
  const width = Math.max(props.bars.length * 24, 240);
  const slot = width / Math.max(props.bars.length, 1);
  const labelEvery = Math.ceil(props.bars.length / 10);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={props.title} preserveAspectRatio="none">
        <line x1="0" y1={height} x2={width} y2={height} class="axis" />
        {props.bars.map((bar, index) => {
          const barHeight = max > 0 ? (bar.value / max) * (height - 8) : 0;
          return (
            <g key={bar.label}>
              <rect x={index * slot + slot * 0.15} y={height - barHeight} width={slot * 0.7} height={barHeight} class="bar">
                <title>{`${bar.label}: ${bar.caption}`}</title>
              </rect>
              {index % labelEvery === 0 && (
                <text x={index * slot + slot / 2} y={height + 14} text-anchor="middle" class="tick">
                  {bar.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export function RankingChart(props: { title: string; bars: Bar[] }) {
  const max = Math.max(...props.bars.map((bar) => bar.value), 0);
  const rowHeight = 22;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      {props.bars.length === 0 ? (
        <p class="muted">No usage in this period.</p>
      ) : (
        <svg viewBox={`0 0 480 ${props.bars.length * rowHeight}`} role="img" aria-label={props.title}>
          {props.bars.map((bar, index) => (
            <g key={bar.label} transform={`translate(0 ${index * rowHeight})`}>
              <text x="0" y="15" class="tick">
                {bar.label.length > 22 ? `${bar.label.slice(0, 21)}…` : bar.label}
              </text>
              <rect x="140" y="4" width={max > 0 ? Math.max((bar.value / max) * 180, 1) : 1} height="14" class="bar" />
              <text x="476" y="15" text-anchor="end" class="tick">
                {bar.caption}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}

export const spendBar = (label: string, cost: string, requests: number): Bar => ({
  label,
  value: Number(cost),
  caption: `${usd(cost)} · ${requests} req`,
});
