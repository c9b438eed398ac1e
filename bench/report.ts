// Markdown tables from the figures of a run: one table per workload with median [min–max] over
// the repetitions, ratios computed run by run against the baseline or floor of the same run, and
// the stated targets with a verdict each.
import type { LoadFigures, RateFigures, RequestFigures, StreamFigures } from './load-commands.ts';
import type { MeteringResults } from './metering-bench.ts';
import type { RouteGroup, Workload } from './plan.ts';
import { spread, type Spread } from './statistics.ts';

export interface RouteSummary {
  id: string;
  label: string;
  group: RouteGroup;
}

export interface BenchResults {
  machine: string;
  date: string;
  command: string;
  pinned: boolean;
  runs: number;
  routes: RouteSummary[];
  workloads: Workload[];
  /** figures[workloadId][routeId][run] */
  figures: Record<string, Record<string, Array<LoadFigures | null>>>;
  /** The metering workloads, when they ran. */
  metering?: MeteringResults;
  notes: string[];
}

type Metric<F> = (figures: F) => number | null;

function series<F extends LoadFigures>(results: BenchResults, workload: string, route: string, metric: Metric<F>): Array<number | null> {
  return (results.figures[workload]?.[route] ?? []).map((figures) => (figures ? metric(figures as F) : null));
}

function combine<F extends LoadFigures>(
  results: BenchResults,
  workload: string,
  route: string,
  reference: string,
  metric: Metric<F>,
  how: (value: number, referenceValue: number) => number,
): Spread | null {
  const values = series(results, workload, route, metric);
  const references = series(results, workload, reference, metric);
  return spread(values.map((value, run) => (value !== null && references[run] != null ? how(value, references[run]!) : null)));
}

export const ratio = <F extends LoadFigures>(results: BenchResults, workload: string, route: string, reference: string, metric: Metric<F>) =>
  combine(results, workload, route, reference, metric, (value, referenceValue) => value / referenceValue);

const difference = <F extends LoadFigures>(results: BenchResults, workload: string, route: string, reference: string, metric: Metric<F>) =>
  combine(results, workload, route, reference, metric, (value, referenceValue) => value - referenceValue);

const of = <F extends LoadFigures>(results: BenchResults, workload: string, route: string, metric: Metric<F>) =>
  spread(series(results, workload, route, metric));

function number(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatSpread(value: Spread | null, suffix = ''): string {
  if (value === null) return '—';
  if (value.count === 1 || value.min === value.max) return `${number(value.median)}${suffix}`;
  return `${number(value.median)}${suffix} [${number(value.min)}–${number(value.max)}]`;
}

const requestMetrics = {
  rps: (f: RequestFigures) => f.requestsPerSecond,
  p50: (f: RequestFigures) => f.latencyP50Ms,
  p99: (f: RequestFigures) => f.latencyP99Ms,
  cpu: (f: RequestFigures) => f.cpuMicrosecondsPerRequest,
  rss: (f: RequestFigures) => f.peakRssMegabytes,
  rssAdded: (f: RequestFigures) => (f.peakRssMegabytes !== null && f.startRssMegabytes !== null ? f.peakRssMegabytes - f.startRssMegabytes : null),
  otherLoad: (f: RequestFigures) => f.otherLoadPercent,
  failed: (f: RequestFigures) => f.failedRequests,
};

const rateMetrics = {
  achieved: (f: RateFigures) => f.achievedRate,
  p50: (f: RateFigures) => f.latencyP50Ms,
  p90: (f: RateFigures) => f.latencyP90Ms,
  p99: (f: RateFigures) => f.latencyP99Ms,
  max: (f: RateFigures) => f.latencyMaxMs,
  cpu: (f: RateFigures) => f.cpuMicrosecondsPerRequest,
  failed: (f: RateFigures) => f.failedRequests,
  timeouts: (f: RateFigures) => f.timeouts,
  sendLag: (f: RateFigures) => f.sendLagP99Ms,
  otherLoad: (f: RateFigures) => f.otherLoadPercent,
};

const streamMetrics = {
  eps: (f: StreamFigures) => f.eventsPerSecond,
  p50: (f: StreamFigures) => f.ttftP50Ms,
  p99: (f: StreamFigures) => f.ttftP99Ms,
  cpu: (f: StreamFigures) => f.cpuMicrosecondsPerEvent,
  rss: (f: StreamFigures) => f.peakRssMegabytes,
  rssAdded: (f: StreamFigures) => (f.peakRssMegabytes !== null && f.startRssMegabytes !== null ? f.peakRssMegabytes - f.startRssMegabytes : null),
  otherLoad: (f: StreamFigures) => f.otherLoadPercent,
  incomplete: (f: StreamFigures) => f.incompleteStreams,
};

function measuredRoutes(results: BenchResults, workload: Workload): RouteSummary[] {
  return results.routes.filter((route) => (results.figures[workload.id]?.[route.id] ?? []).some((figures) => figures !== null));
}

function requestTable(results: BenchResults, workload: Workload): string[] {
  const rows = measuredRoutes(results, workload).map((route) => {
    const cell = (metric: Metric<RequestFigures>, suffix = '') => formatSpread(of(results, workload.id, route.id, metric), suffix);
    const isBaseline = route.group === 'baseline';
    return [
      route.label,
      cell(requestMetrics.rps),
      isBaseline ? '1' : formatSpread(ratio(results, workload.id, route.id, 'direct', requestMetrics.rps), '×'),
      cell(requestMetrics.p50),
      cell(requestMetrics.p99),
      isBaseline ? '—' : cell(requestMetrics.cpu),
      isBaseline ? '—' : formatSpread(ratio(results, workload.id, route.id, 'floor', requestMetrics.cpu), '×'),
      isBaseline ? '—' : cell(requestMetrics.rss),
      isBaseline ? '—' : cell(requestMetrics.rssAdded),
      cell(requestMetrics.failed),
      isBaseline ? '—' : cell(requestMetrics.otherLoad),
    ];
  });
  return table(
    ['target', 'requests/s', 'vs direct', 'p50 ms', 'p99 ms', 'gateway CPU µs/request', 'CPU vs floor', 'peak RSS MB', 'RSS added MB', 'failed', 'other load on gateway core %'],
    rows,
  );
}

function rateTable(results: BenchResults, workload: Workload): string[] {
  const rows = measuredRoutes(results, workload).map((route) => {
    const cell = (metric: Metric<RateFigures>, suffix = '') => formatSpread(of(results, workload.id, route.id, metric), suffix);
    const isBaseline = route.group === 'baseline';
    return [
      route.label,
      cell(rateMetrics.achieved),
      cell(rateMetrics.p50),
      isBaseline ? '—' : formatSpread(difference(results, workload.id, route.id, 'floor', rateMetrics.p50)),
      cell(rateMetrics.p90),
      cell(rateMetrics.p99),
      isBaseline ? '—' : formatSpread(ratio(results, workload.id, route.id, 'floor', rateMetrics.p99), '×'),
      cell(rateMetrics.max),
      cell(rateMetrics.failed),
      cell(rateMetrics.timeouts),
      isBaseline ? '—' : cell(rateMetrics.cpu),
      isBaseline ? '—' : formatSpread(ratio(results, workload.id, route.id, 'floor', rateMetrics.cpu), '×'),
      cell(rateMetrics.sendLag),
      isBaseline ? '—' : cell(rateMetrics.otherLoad),
    ];
  });
  return table(
    [
      'target',
      'achieved requests/s',
      'p50 ms',
      'added p50 ms vs floor',
      'p90 ms',
      'p99 ms',
      'p99 vs floor',
      'max ms',
      'failed',
      'timeouts',
      'gateway CPU µs/request',
      'CPU vs floor',
      'generator send lag p99 ms',
      'other load on gateway core %',
    ],
    rows,
  );
}

function streamTable(results: BenchResults, workload: Workload): string[] {
  const rows = measuredRoutes(results, workload).map((route) => {
    const cell = (metric: Metric<StreamFigures>, suffix = '') => formatSpread(of(results, workload.id, route.id, metric), suffix);
    const isBaseline = route.group === 'baseline';
    return [
      route.label,
      cell(streamMetrics.eps),
      cell(streamMetrics.p50),
      isBaseline ? '—' : formatSpread(difference(results, workload.id, route.id, 'direct', streamMetrics.p50)),
      cell(streamMetrics.p99),
      isBaseline ? '—' : formatSpread(difference(results, workload.id, route.id, 'direct', streamMetrics.p99)),
      isBaseline ? '—' : cell(streamMetrics.cpu),
      isBaseline ? '—' : formatSpread(ratio(results, workload.id, route.id, 'floor', streamMetrics.cpu), '×'),
      isBaseline ? '—' : cell(streamMetrics.rss),
      isBaseline ? '—' : cell(streamMetrics.rssAdded),
      cell(streamMetrics.incomplete),
      isBaseline ? '—' : cell(streamMetrics.otherLoad),
    ];
  });
  return table(
    [
      'target',
      'events/s',
      'TTFT p50 ms',
      'added p50 ms',
      'TTFT p99 ms',
      'added p99 ms',
      'gateway CPU µs/event',
      'CPU vs floor',
      'peak RSS MB',
      'RSS added MB',
      'incomplete streams',
      'other load on gateway core %',
    ],
    rows,
  );
}

function table(header: string[], rows: string[][]): string[] {
  const alignment = header.map((_, index) => (index === 0 ? '---' : '---:'));
  return [`| ${header.join(' | ')} |`, `| ${alignment.join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

interface Goal {
  goal: string;
  value: Spread | null;
  suffix: string;
  /** True when the median meets the goal. */
  meets: (median: number) => boolean;
}

function goals(results: BenchResults): Goal[] {
  const list: Goal[] = [];
  const restCpu = ratio(results, 'requests-64', 'rest', 'floor', requestMetrics.cpu);
  list.push({ goal: 'REST CPU/request ≤ 4× floor (64 connections)', value: restCpu, suffix: '×', meets: (m) => m <= 4 });
  list.push({ goal: 'REST requests/s ≥ 5× peer (64 connections)', value: ratio(results, 'requests-64', 'rest', 'peer', requestMetrics.rps), suffix: '×', meets: (m) => m >= 5 });
  // The cost of observability (issue #19): logs at info and metrics on vs both off; tracing reported.
  list.push({ goal: 'REST CPU/request, logs info + metrics on ≤ 1.1× logs silent + metrics off (64 connections)', value: ratio(results, 'requests-64', 'rest', 'rest+obs-off', requestMetrics.cpu), suffix: '×', meets: (m) => m <= 1.1 });
  list.push({ goal: '(info) REST CPU/request with tracing on vs off (64 connections)', value: ratio(results, 'requests-64', 'rest+traced', 'rest', requestMetrics.cpu), suffix: '×', meets: () => true });
  list.push({ goal: '(info) REST SSE CPU/event with tracing on vs off (100 streams)', value: ratio(results, 'streams-100', 'rest+traced', 'rest', streamMetrics.cpu), suffix: '×', meets: () => true });
  list.push({ goal: 'GraphQL mutation CPU/request ≤ 8× floor (64 connections)', value: ratio(results, 'requests-64', 'graphql', 'floor', requestMetrics.cpu), suffix: '×', meets: (m) => m <= 8 });
  list.push({ goal: '(info) GraphQL mutation requests/s vs peer (64 connections)', value: ratio(results, 'requests-64', 'graphql', 'peer', requestMetrics.rps), suffix: '×', meets: (m) => m >= 5 });
  // Open loop at a fixed rate: what a budgeted key costs over the master key, and what the master key adds over the floor.
  for (const rate of [200, 1000]) {
    const workload = `rate-${rate}`;
    const at = `${rate.toLocaleString('en-US')} req/s`;
    for (const [keyed, master, name] of [
      ['rest+key', 'rest', 'REST'],
      ['graphql+key', 'graphql', 'GraphQL mutation'],
    ] as const) {
      for (const [metric, label, bound] of [
        [rateMetrics.p50, 'p50', 1.3],
        [rateMetrics.p99, 'p99', 1.3],
        [rateMetrics.cpu, 'CPU/request', 1.15],
      ] as const) {
        list.push({ goal: `${name}, budgeted key: ${label} ≤ ${bound}× the master key's (${at})`, value: ratio(results, workload, keyed, master, metric), suffix: '×', meets: (m) => m <= bound });
      }
    }
  }
  list.push({ goal: '(REST) cache hit CPU/request < miss CPU/request (64 connections)', value: ratio(results, 'requests-64', 'rest+cache', 'rest', requestMetrics.cpu), suffix: '×', meets: (m) => m < 1 });
  list.push({ goal: '(info) cache hit added p50 at 1,000 req/s', value: difference(results, 'rate-1000', 'rest+cache', 'floor', rateMetrics.p50), suffix: ' ms', meets: () => true });
  list.push({ goal: 'REST, master key: added p50 over the floor ≤ 0.5 ms (1,000 req/s)', value: difference(results, 'rate-1000', 'rest', 'floor', rateMetrics.p50), suffix: ' ms', meets: (m) => m <= 0.5 });
  list.push({ goal: "REST, master key: p99 ≤ 2× the floor's (1,000 req/s)", value: ratio(results, 'rate-1000', 'rest', 'floor', rateMetrics.p99), suffix: '×', meets: (m) => m <= 2 });
  list.push({ goal: 'REST, master key: added p50 over the floor ≤ 0.5 ms (one connection)', value: difference(results, 'requests-1', 'rest', 'floor', requestMetrics.p50), suffix: ' ms', meets: (m) => m <= 0.5 });
  list.push({ goal: 'REST SSE CPU/upstream event ≤ 1.5× floor (100 streams)', value: ratio(results, 'streams-100', 'rest', 'floor', streamMetrics.cpu), suffix: '×', meets: (m) => m <= 1.5 });
  for (const [id, name] of [
    ['graphql-sse', 'GraphQL subscription over SSE'],
    ['graphql-ws', 'GraphQL subscription over WebSocket'],
  ] as const) {
    list.push({ goal: `${name} CPU/upstream event ≤ 3× floor (100 streams)`, value: ratio(results, 'streams-100', id, 'floor', streamMetrics.cpu), suffix: '×', meets: (m) => m <= 3 });
  }
  for (const [id, name] of [
    ['rest', 'REST SSE'],
    ['graphql-sse', 'GraphQL SSE'],
    ['graphql-ws', 'GraphQL WebSocket'],
  ] as const) {
    list.push({ goal: `${name}: added TTFT p50 < 1 ms (100 streams)`, value: difference(results, 'streams-100', id, 'direct', streamMetrics.p50), suffix: ' ms', meets: (m) => m < 1 });
  }
  // What the floor itself adds, under the same load and with one stream at a time: the part of
  // the TTFT goal any Node proxy pays on this machine (process wake-ups, two more loopback hops).
  list.push({ goal: '(info) floor: added TTFT p50 (100 streams)', value: difference(results, 'streams-100', 'floor', 'direct', streamMetrics.p50), suffix: ' ms', meets: () => true });
  for (const [id, name] of [
    ['floor', 'floor'],
    ['rest', 'REST SSE'],
    ['graphql-sse', 'GraphQL SSE'],
    ['graphql-ws', 'GraphQL WebSocket'],
  ] as const) {
    list.push({ goal: `(info) ${name}: added TTFT p50, one stream at a time`, value: difference(results, 'streams-1', id, 'direct', streamMetrics.p50), suffix: ' ms', meets: () => true });
  }
  for (const [id, name] of [
    ['rest', 'REST SSE'],
    ['graphql-sse', 'GraphQL SSE'],
    ['graphql-ws', 'GraphQL WebSocket'],
  ] as const) {
    list.push({ goal: `${name}: 1,000 concurrent streams, none incomplete`, value: of(results, 'streams-1000', id, streamMetrics.incomplete), suffix: '', meets: (m) => m === 0 });
    list.push({ goal: `${name}: 1,000 concurrent streams, peak RSS < 300 MB`, value: of(results, 'streams-1000', id, streamMetrics.rss), suffix: ' MB', meets: (m) => m < 300 });
    list.push({ goal: `(info) ${name}: 1,000 concurrent streams, RSS added by the workload`, value: of(results, 'streams-1000', id, streamMetrics.rssAdded), suffix: ' MB', meets: () => true });
  }
  const metering = results.metering;
  const writes = (database: 'Postgres' | 'PGlite') =>
    spread((metering?.write ?? []).map((run) => run?.find((figures) => figures.database.startsWith(database))?.recordsPerSecond ?? null));
  list.push({ goal: 'metering: usage records written to Postgres ≥ 20,000/s', value: metering ? writes('Postgres') : null, suffix: '/s', meets: (m) => m >= 20_000 });
  list.push({ goal: '(info) metering: usage records written to PGlite (in memory)', value: metering ? writes('PGlite') : null, suffix: '/s', meets: () => true });
  const query = metering?.query;
  list.push({
    goal: `metering: grouped 30-day usage over ${query ? `${(query.rows / 1e6).toLocaleString('en-US')}M` : '10M'} events < 100 ms (slowest report's median)`,
    value: query ? spread([Math.max(...query.cases.map((report) => report.medianMs))]) : null,
    suffix: ' ms',
    meets: (m) => m < 100,
  });
  return list;
}

/** The metering workloads' tables: write throughput per run, and each report's timings. */
function meteringTables(metering: MeteringResults): string[] {
  const lines: string[] = [];
  const runs = metering.write.filter((run): run is NonNullable<typeof run> => run !== null);
  if (runs.length > 0) {
    lines.push(
      `### Metering: usage write throughput (${metering.writeRecords.toLocaleString('en-US')} records per run, \`bench/usage-write.ts\`)`,
      '',
      'Records handed to the usage writer as fast as the process can, written in batches of 2,000 (one statement that also updates the daily rollups) until the last commit; PGlite in memory with at most 50,000 records.',
      '',
    );
    const databases = runs[0]!.map((figures) => figures.database);
    lines.push(
      ...table(
        ['database', 'records/s', 'time to last commit s', 'statements', 'record() cost on the request path µs'],
        databases.map((database) => {
          const of = (pick: (f: (typeof runs)[number][number]) => number) => spread(runs.map((run) => { const f = run.find((x) => x.database === database); return f ? pick(f) : null; }));
          return [database, formatSpread(of((f) => f.recordsPerSecond)), formatSpread(of((f) => f.seconds)), formatSpread(of((f) => f.statements)), formatSpread(of((f) => f.recordCostMicroseconds))];
        }),
      ),
      '',
    );
  }
  const query = metering.query;
  if (query) {
    lines.push(
      `### Metering: usage reports over ${query.rows.toLocaleString('en-US')} events (\`bench/usage-query.ts\`, one run, 7 timings per report after a warm-up)`,
      '',
      `Seeded over 30 days${query.seedSeconds === null ? '' : ` in ${Math.round(query.seedSeconds)} s`}; \`UsageRepository.report\`, what the \`usage\` query resolves with.`,
      '',
      ...table(
        ['report', 'groups', 'answered from', 'median ms', 'min ms', 'max ms'],
        query.cases.map((report) => [report.name, number(report.groups), report.source, number(report.medianMs), number(report.minMs), number(report.maxMs)]),
      ),
      '',
    );
  }
  return lines;
}

export function goalRows(results: BenchResults): string[] {
  return table(
    ['goal', 'measured, median [min–max]', 'verdict'],
    goals(results).map((goal) => [
      goal.goal,
      formatSpread(goal.value, goal.suffix),
      goal.value === null ? 'not measured' : goal.goal.startsWith('(info)') ? '—' : goal.meets(goal.value.median) ? 'met' : '**missed**',
    ]),
  );
}

export function renderMarkdown(results: BenchResults, extra: string[] = []): string {
  const lines: string[] = [
    `## modelgraph benchmark, ${results.date}`,
    '',
    `- Machine: ${results.machine}`,
    `- Command: \`${results.command}\``,
    `- ${results.pinned ? 'Gateways pinned to core 0; mock upstream, load generator and orchestrator on core 1 (taskset).' : 'Processes NOT pinned (taskset or a second core missing): figures are not comparable.'}`,
    `- ${results.runs} run${results.runs === 1 ? '' : 's'}; cells are median [min–max] over runs; ratios are computed within each run against the same run's direct baseline or floor proxy.`,
    '',
  ];
  for (const note of results.notes) lines.push(`> ${note}`, '');
  lines.push('### Targets', '', ...goalRows(results), '');
  for (const workload of results.workloads) {
    lines.push(`### ${workload.title}`, '');
    const render = { requests: requestTable, rate: rateTable, streams: streamTable }[workload.kind];
    lines.push(...render(results, workload), '');
  }
  if (results.metering) lines.push(...meteringTables(results.metering));
  lines.push(...extra);
  return lines.join('\n');
}
