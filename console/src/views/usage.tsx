// Spend by day, key and model from the `usage` query (non-admin keys see their own usage).
import { useEffect, useState } from 'preact/hooks';
import { request } from '../api.ts';
import { ColumnChart, RankingChart, spendBar } from '../components/bar-chart.tsx';
import { count, daysAgo, isoDay, usd } from '../format.ts';
import { spendByModel, UNKNOWN_MODEL, type ModelProviderGroup, type ModelSpend } from '../model-names.ts';
import { USAGE } from '../operations.ts';

interface Group {
  requests: number;
  cost: string;
}

interface UsageData {
  overall: { totals: { requests: number; failedRequests: number; inputTokens: number; outputTokens: number; cost: string } };
  byDay: { series: Array<Group & { day: string | null }> };
  byKey: { series: Array<Group & { keyId: string | null; key: { name: string } | null }> };
  byModel: { series: ModelProviderGroup[] };
}

const RANGES = [7, 30, 90];

export function Usage() {
  const [days, setDays] = useState(30);
  const [data, setData] = useState<UsageData | null>(null);
  const [models, setModels] = useState<ModelSpend[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [refreshed, setRefreshed] = useState(0);

  useEffect(() => {
    setError(null);
    request<UsageData>(USAGE, { filter: { from: daysAgo(days - 1).toISOString() } })
      .then(async (usage) => {
        setModels(await spendByModel(usage.byModel.series));
        setData(usage);
      })
      .catch((thrown: Error) => setError(thrown.message));
  }, [days, refreshed]);

  // Every day of the range, zero where nothing was spent.
  const perDay = new Map(data?.byDay.series.map((group) => [group.day, group]) ?? []);
  const dayBars = Array.from({ length: days }, (_, index) => {
    const day = isoDay(daysAgo(days - 1 - index));
    const group = perDay.get(day);
    return spendBar(day, group?.cost ?? '0', group?.requests ?? 0);
  });
  const totals = data?.overall.totals;

  return (
    <section>
      <h2>Usage</h2>
      <div class="row">
        <label class="narrow">
          Period
          <select value={days} onChange={(event) => setDays(Number(event.currentTarget.value))}>
            {RANGES.map((range) => (
              <option value={range}>Last {range} days</option>
            ))}
          </select>
        </label>
        <button type="button" class="link" onClick={() => setRefreshed((value) => value + 1)}>
          Refresh
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {totals && (
        <dl class="totals">
          <div>
            <dt>Spend</dt>
            <dd data-testid="total-spend">{usd(totals.cost)}</dd>
          </div>
          <div>
            <dt>Requests</dt>
            <dd>
              {count(totals.requests)}
              {totals.failedRequests > 0 && <span class="muted"> ({count(totals.failedRequests)} failed)</span>}
            </dd>
          </div>
          <div>
            <dt>Tokens in / out</dt>
            <dd>
              {count(totals.inputTokens)} / {count(totals.outputTokens)}
            </dd>
          </div>
        </dl>
      )}
      {data && (
        <div class="charts">
          <ColumnChart title="Spend by day (UTC)" bars={dayBars} axisLabel={(day) => day.slice(5)} />
          <RankingChart title="Spend by key" bars={data.byKey.series.map((group) => spendBar(group.key?.name ?? group.keyId ?? 'unknown', group.cost, group.requests))} />
          <RankingChart
            title="Spend by model"
            bars={models.map((group) => spendBar(group.model, group.cost, group.requests))}
            note={unknownNote(models)}
          />
        </div>
      )}
    </section>
  );
}

/** Says what the "unknown" bar holds, naming a few of the requested names. */
function unknownNote(models: ModelSpend[]): string | null {
  const unknown = models.find((group) => group.model === UNKNOWN_MODEL);
  if (!unknown) return null;
  const shown = unknown.names.slice(0, 5).join(', ');
  const more = unknown.names.length > 5 ? ` and ${unknown.names.length - 5} more` : '';
  return `unknown: requested names that no deployment or catalog model has${shown ? ` (${shown}${more})` : ''}.`;
}
