// `npm run bench [-- --quick] [--runs=N --targets=a,b --workloads=x,y --gap-1000=MS --profile --no-peer
//   --database=auto|postgres|pglite --database-url=postgres://... --gateway-root=<another checkout>]`
// Starts the mock upstream, the floor proxy, modelgraph and the Portkey peer, forks the load
// generator, measures every route under every workload it takes part in `runs` times (closed-loop
// connections, open-loop fixed rates, streams; routes interleaved within a run so drift hits them alike), and prints markdown tables; the same markdown and the raw figures
// go to bench/.results/. With --profile, modelgraph runs under --cpu-prof and the report ends
// with its top functions by self time.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadCommand, LoadFigures, LoadReply, RateLoad, RequestLoad, StreamLoad } from './load-commands.ts';
import { benchDatabase, type BenchDatabase } from './bench-database.ts';
import { usageQuery, usageWrite, type MeteringResults } from './metering-bench.ts';
import { provisionVirtualKey, startModelgraph, type ModelgraphGateway } from './modelgraph-gateway.ts';
import { installPeer, peerHeaders, peerVersion, startPeer } from './peer-portkey.ts';
import { startOtlpSink, type OtlpSink } from './otlp-sink.ts';
import { cacheHitCaller, chatCompletionsRoute, fullPlan, keyedWorkloadIds, modelgraphRoutes, observabilityVariants, observabilityWorkloadIds, quickPlan, type MockShape, type ModelgraphCaller, type Plan, type Route, type Workload } from './plan.ts';
import { profileMarkdown, summarizeProfile, type CpuProfile, type TimeWindow } from './profile-summary.ts';
import { renderMarkdown, type BenchResults } from './report.ts';
import { canPin, gatewayCore, loadCore, nodeScript, pinProcess, repositoryRoot, startService, tsxLoader, type Service } from './services.ts';

interface Options {
  quick: boolean;
  runs: number | undefined;
  targets: string[] | undefined;
  workloads: string[] | undefined;
  gapFor1000: number | undefined;
  profile: boolean;
  peer: boolean;
  database: 'auto' | 'postgres' | 'pglite';
  databaseUrl: string | undefined;
  gatewayRoot: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (name: string) => value(name)?.split(',').filter(Boolean);
  const known = ['--quick', '--profile', '--no-peer', '--runs=', '--targets=', '--workloads=', '--gap-1000=', '--database=', '--database-url=', '--gateway-root='];
  for (const arg of argv) {
    if (!known.some((option) => (option.endsWith('=') ? arg.startsWith(option) : arg === option))) throw new Error(`unknown option ${arg}; known: ${known.join(' ')}`);
  }
  return {
    quick: argv.includes('--quick'),
    runs: value('runs') ? Number(value('runs')) : undefined,
    targets: list('targets'),
    workloads: list('workloads'),
    gapFor1000: value('gap-1000') ? Number(value('gap-1000')) : undefined,
    profile: argv.includes('--profile'),
    peer: !argv.includes('--no-peer'),
    database: databaseChoice(value('database')),
    databaseUrl: value('database-url'),
    gatewayRoot: value('gateway-root'),
  };
}

function databaseChoice(raw: string | undefined): Options['database'] {
  if (raw === undefined || raw === 'auto' || raw === 'postgres' || raw === 'pglite') return raw ?? 'auto';
  throw new Error(`--database=${raw}: expected auto, postgres or pglite`);
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Every process started so far, for stopping them on a signal. */
const startedServices: Service[] = [];
let stopRequested = false;

/** The load generator process and a promise per command sent to it. */
class LoadWorker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (figures: LoadFigures) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: LoadReply | { ready: true }) => {
      if (!('id' in message)) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if ('error' in message) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.figures);
    });
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load generator exited with ${code}`));
      this.pending.clear();
    });
  }

  static async start(): Promise<LoadWorker> {
    // Forked from the orchestrator, which is pinned to the load core: the affinity is inherited.
    const child = fork(join(repositoryRoot, 'bench', 'load-worker.ts'), [], { execArgv: ['--import', tsxLoader], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    return new LoadWorker(child);
  }

  run(command: RequestLoad | StreamLoad | RateLoad): Promise<LoadFigures> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...command, id } satisfies LoadCommand);
    });
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

async function configureMock(mock: Service, shape: MockShape): Promise<void> {
  const response = await fetch(`${mock.url}/__bench/config`, { method: 'POST', body: JSON.stringify({ ...shape, jsonDelayMs: 0 }) });
  if (!response.ok) throw new Error(`mock config failed: ${response.status}`);
  await response.arrayBuffer();
}

function requestCommand(route: Route, connections: number, durationSeconds: number): RequestLoad {
  const shape = route.requests!;
  return { kind: 'requests', url: shape.url, headers: shape.headers, body: shape.body, connections, durationSeconds, expectText: shape.expectText, pid: route.pid };
}

function rateCommand(route: Route, workload: Extract<Workload, { kind: 'rate' }>): RateLoad {
  const shape = route.requests!;
  const { rate, warmupSeconds, durationSeconds, connections, timeoutMs } = workload;
  return { kind: 'rate', url: shape.url, headers: shape.headers, body: shape.body, expectText: shape.expectText, rate, warmupSeconds, durationSeconds, connections, timeoutMs, pid: route.pid };
}

function streamCommand(route: Route, streams: number, rounds: number, expectedEvents: number, rampMs: number, timeoutMs: number): StreamLoad {
  const shape = route.streams!;
  return { kind: 'streams', protocol: shape.protocol, url: shape.url, headers: shape.headers, body: shape.body, streams, rounds, expectedEvents, rampMs, timeoutMs, pid: route.pid };
}

const warmupShape: MockShape = { ttftMs: 1, chunks: 20, gapMs: 1 };

/** One request and one stream per route before measuring; a route that fails is left out with a note. */
async function checkRoutes(routes: Route[], load: LoadWorker, mock: Service, notes: string[]): Promise<Route[]> {
  await configureMock(mock, warmupShape);
  const working: Route[] = [];
  for (const route of routes) {
    let { requests, streams } = route;
    if (requests) {
      const figures = await load.run(requestCommand(route, 1, 1)).catch((error: Error) => error);
      if (figures instanceof Error || figures.kind !== 'requests' || figures.okRequests === 0 || figures.failedRequests > 0) {
        notes.push(`${route.label}: non-streaming left out, the check failed: ${figures instanceof Error ? figures.message : (figures as { firstFailure: string | null }).firstFailure}`);
        requests = undefined;
      }
    }
    if (streams) {
      const figures = await load.run(streamCommand(route, 2, 1, warmupShape.chunks, 0, 10_000)).catch((error: Error) => error);
      if (figures instanceof Error || figures.kind !== 'streams' || figures.incompleteStreams > 0) {
        notes.push(`${route.label}: streaming left out, the check failed: ${figures instanceof Error ? figures.message : (figures as { firstFailure: string | null }).firstFailure}`);
        streams = undefined;
      }
    }
    if (requests || streams) working.push({ ...route, requests, streams });
  }
  return working;
}

const monotonicMicroseconds = () => Number(process.hrtime.bigint() / 1000n);

/** Measured windows of modelgraph routes, for cutting its CPU profile down to them. */
const modelgraphWindows: TimeWindow[] = [];

async function measured(route: Route, command: RequestLoad | StreamLoad | RateLoad, load: LoadWorker): Promise<LoadFigures> {
  const start = monotonicMicroseconds();
  let figures: LoadFigures | undefined;
  try {
    return (figures = await load.run(command));
  } finally {
    // A rate command warms up inside the command; its figures carry the measured window.
    if (route.group === 'modelgraph') modelgraphWindows.push(figures?.kind === 'rate' ? figures.window : [start, monotonicMicroseconds()]);
  }
}

/** Whether the route is measured in the workload: it speaks the workload's kind and the workload is one of its own. */
function measuresIn(workload: Workload, route: Route): boolean {
  if (route.workloads && !route.workloads.includes(workload.id)) return false;
  return Boolean(workload.kind === 'streams' ? route.streams : route.requests);
}

async function measure(workload: Workload, route: Route, load: LoadWorker, mock: Service): Promise<LoadFigures | null> {
  if (workload.kind === 'rate') return route.requests ? measured(route, rateCommand(route, workload), load) : null;
  if (workload.kind === 'requests') {
    if (!route.requests) return null;
    await load.run(requestCommand({ ...route, pid: undefined }, workload.connections, workload.warmupSeconds));
    return measured(route, requestCommand(route, workload.connections, workload.durationSeconds), load);
  }
  if (!route.streams) return null;
  await configureMock(mock, warmupShape);
  await load.run(streamCommand({ ...route, pid: undefined }, Math.min(50, workload.streams), 2, warmupShape.chunks, 0, 30_000));
  await configureMock(mock, workload.mock);
  return measured(route, streamCommand(route, workload.streams, workload.rounds, workload.mock.chunks, workload.rampMs, workload.timeoutMs), load);
}

function describeMachine(): string {
  const cpuList = cpus();
  let memory = '';
  try {
    const match = /MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) memory = `, ${Math.round(Number(match[1]) / 1024 / 1024)} GiB RAM`;
  } catch {
    // not Linux
  }
  return `${cpuList[0]?.model ?? 'unknown CPU'}, ${cpuList.length} cores${memory}, Linux ${release()}, Node ${process.version}`;
}

/** The main thread's profile of the latest process (`CPU.<date>.<time>.<pid>.0.<n>.cpuprofile`; thread 1 is the ESM loader). */
function newestProfile(directory: string): string | null {
  const files = readdirSync(directory).filter((file) => /\.\d+\.0\.\d+\.cpuprofile$/.test(file));
  files.sort((a, b) => statSync(join(directory, b)).mtimeMs - statSync(join(directory, a)).mtimeMs);
  return files[0] ? join(directory, files[0]) : null;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const gapFor1000 = options.gapFor1000 ?? (options.quick ? 20 : 25);
  const plan: Plan = options.quick ? quickPlan(gapFor1000) : fullPlan(gapFor1000);
  const runs = options.runs ?? plan.runs;
  const workloads = plan.workloads.filter((workload) => !options.workloads || options.workloads.includes(workload.id));
  const wanted = (id: string) => !options.workloads || options.workloads.includes(id);
  const writeRecords = wanted('metering-write') ? plan.metering.writeRecords : 0;
  const queryRows = wanted('usage-query') ? plan.metering.queryRows : null;
  const notes: string[] = [];
  if (!canPin) notes.push('taskset or a second core is missing: nothing is pinned and the figures are not comparable.');
  pinProcess(process.pid, loadCore);

  const resultsDirectory = join(repositoryRoot, 'bench', '.results');
  const profileDirectory = join(repositoryRoot, 'bench', '.profiles');
  mkdirSync(resultsDirectory, { recursive: true });
  if (options.profile) mkdirSync(profileDirectory, { recursive: true });

  const services = startedServices;
  let load: LoadWorker | undefined;
  let database: BenchDatabase | undefined;
  let sink: OtlpSink | undefined;
  try {
    database = await benchDatabase(options.database, options.databaseUrl);
    const databaseUrl = database.url;
    const mock = await startService({ name: 'mock upstream', command: nodeScript('bench/mock-upstream.ts'), core: loadCore, ready: { pattern: /listening (\d+)/ } });
    services.push(mock);
    const floor = await startService({ name: 'floor proxy', command: nodeScript('bench/floor-proxy.ts', '--upstream', mock.url), core: gatewayCore, env: { NODE_ENV: 'production' }, ready: { pattern: /listening (\d+)/ } });
    services.push(floor);
    log(`starting modelgraph (${databaseUrl ? 'Postgres' : 'PGlite in a temporary directory'}) ...`);
    const modelgraph: ModelgraphGateway = await startModelgraph({
      upstreamPort: mock.port,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(options.gatewayRoot ? { gatewayRoot: resolve(options.gatewayRoot) } : {}),
      ...(options.profile ? { cpuProfileDirectory: profileDirectory } : {}),
    });
    if (options.gatewayRoot) notes.push(`modelgraph ran from ${resolve(options.gatewayRoot)} (--gateway-root), not from this checkout.`);
    notes.push(database.note);
    services.push(modelgraph);

    const routes: Route[] = [
      chatCompletionsRoute({ id: 'direct', label: 'direct to mock upstream (baseline)', group: 'baseline' }, `${mock.url}/v1/chat/completions`, { authorization: 'Bearer x' }),
      chatCompletionsRoute({ id: 'floor', label: 'floor proxy (node:http + undici Pool)', group: 'floor', pid: floor.pid }, `${floor.url}/v1/chat/completions`, { authorization: 'Bearer x' }),
    ];
    // The modelgraph targets: one caller per credential (and header set), each on REST and GraphQL.
    // The admin (master) key has no limits and no budget.
    const admin = { authorization: `Bearer ${modelgraph.adminKey}` };
    const edges: ModelgraphCaller['edges'] = modelgraph.restAvailable ? ['rest', 'graphql'] : ['graphql'];
    if (!modelgraph.restAvailable) notes.push(`modelgraph REST: ${modelgraph.restNote}; its rows and targets are not measured in this run.`);
    const callers: ModelgraphCaller[] = [{ suffix: '', label: '', headers: admin, edges }];
    // HOOK(virtual-keys): see provisionVirtualKey in modelgraph-gateway.ts.
    const virtualKey = await provisionVirtualKey(modelgraph);
    if (virtualKey !== null) {
      callers.push({ suffix: '+key', label: ', virtual key + budget', headers: { authorization: `Bearer ${virtualKey}` }, edges, workloads: keyedWorkloadIds });
    } else {
      notes.push('No virtual key could be created: the `+key` targets are not measured (hook: provisionVirtualKey in bench/modelgraph-gateway.ts).');
    }
    // The response cache is enabled in the bench config without a default TTL: only `+cache` requests take part.
    if (modelgraph.restAvailable && modelgraph.responseCacheAvailable) callers.push(cacheHitCaller(admin));
    else if (modelgraph.restAvailable) notes.push('This checkout has no response cache: the `rest+cache` target is not measured.');
    for (const caller of callers) routes.push(...modelgraphRoutes(modelgraph.url, modelgraph.pid, caller));
    // The cost of observability: one more gateway per variant, when a selected target needs it.
    const variants = observabilityVariants.filter((variant) => !options.targets || options.targets.includes(`rest${variant.suffix}`));
    if (variants.length > 0 && modelgraph.restAvailable) {
      sink = await startOtlpSink();
      for (const variant of variants) {
        log(`starting modelgraph${variant.label} ...`);
        const gateway = await startModelgraph({
          upstreamPort: mock.port,
          ...(databaseUrl ? { databaseUrl } : {}),
          ...(options.gatewayRoot ? { gatewayRoot: resolve(options.gatewayRoot) } : {}),
          variant: { env: variant.env(sink.url), config: variant.config },
        });
        services.push(gateway);
        const caller: ModelgraphCaller = { suffix: variant.suffix, label: variant.label, headers: { authorization: `Bearer ${gateway.adminKey}` }, edges: ['rest'], workloads: observabilityWorkloadIds };
        routes.push(...modelgraphRoutes(gateway.url, gateway.pid, caller));
      }
    }
    if (options.peer) {
      try {
        installPeer(log);
        const peer = await startPeer();
        services.push(peer);
        routes.push(chatCompletionsRoute({ id: 'peer', label: `Portkey gateway ${peerVersion} (peer)`, group: 'peer', pid: peer.pid }, `${peer.url}/v1/chat/completions`, peerHeaders(mock.port)));
      } catch (error) {
        notes.push(`Portkey peer not measured: ${(error as Error).message.split('\n')[0]}`);
      }
    }

    load = await LoadWorker.start();
    const selected = routes.filter((route) => !options.targets || options.targets.includes(route.id));
    log(`checking ${selected.length} routes ...`);
    const working = await checkRoutes(selected, load, mock, notes);

    const figures: BenchResults['figures'] = {};
    for (let run = 0; run < runs; run++) {
      for (const workload of workloads) {
        for (const route of working) {
          if (stopRequested) return;
          if (!measuresIn(workload, route)) continue;
          log(`run ${run + 1}/${runs} ${workload.id} ${route.id}`);
          let result: LoadFigures | null;
          try {
            result = await measure(workload, route, load, mock);
          } catch (error) {
            notes.push(`run ${run + 1}, ${workload.id}, ${route.label}: ${(error as Error).message.split('\n')[0]}`);
            result = null;
          }
          if (result === null) continue;
          ((figures[workload.id] ??= {})[route.id] ??= [])[run] = result;
          if (result.firstFailure) notes.push(`run ${run + 1}, ${workload.id}, ${route.label}: ${result.firstFailure}`);
        }
      }
    }

    if (sink) notes.push(`The traced gateway sent ${sink.exports} span exports to the discarding OTLP sink.`);

    // Metering: the usage writer's throughput every run, the 10M-event reports once (seeding is slow).
    let metering: MeteringResults | undefined;
    if (writeRecords > 0 || queryRows !== null) {
      if (!database.serverUrl) {
        notes.push('Metering workloads not measured: they need a Postgres server (127.0.0.1:5432 or BENCH_POSTGRES_URL).');
      } else {
        metering = { write: [], writeRecords, query: null };
        for (let run = 0; run < runs && writeRecords > 0; run++) {
          if (stopRequested) return;
          log(`run ${run + 1}/${runs} metering-write (${writeRecords.toLocaleString('en-US')} records)`);
          try {
            metering.write[run] = await usageWrite(database.serverUrl, writeRecords, log);
          } catch (error) {
            notes.push(`run ${run + 1}, metering-write: ${(error as Error).message.split('\n')[0]}`);
            metering.write[run] = null;
          }
        }
        if (queryRows !== null && !stopRequested) {
          log(`usage-query (${queryRows.toLocaleString('en-US')} events; seeding takes a few minutes)`);
          try {
            metering.query = await usageQuery(database.serverUrl, queryRows, log);
          } catch (error) {
            notes.push(`usage-query: ${(error as Error).message.split('\n')[0]}`);
          }
        }
      }
    }

    const extra: string[] = [];
    if (options.profile) {
      await modelgraph.stop();
      const file = newestProfile(profileDirectory);
      if (file) {
        const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
        extra.push(
          '### modelgraph CPU profile',
          '',
          `\`${file.slice(repositoryRoot.length)}\`, main thread, only samples inside the measured windows of modelgraph targets (startup, checks and warm-ups left out).`,
          '',
          profileMarkdown(summarizeProfile(profile, 30, modelgraphWindows), 'Top functions by self time'),
        );
      }
    }

    const results: BenchResults = {
      machine: describeMachine(),
      date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      pinned: canPin,
      runs,
      routes: working.map(({ id, label, group }) => ({ id, label, group })),
      workloads,
      figures,
      ...(metering ? { metering } : {}),
      notes,
    };
    const markdown = renderMarkdown(results, extra);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    writeFileSync(join(resultsDirectory, `bench-${stamp}.md`), `${markdown}\n`);
    writeFileSync(join(resultsDirectory, `bench-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${markdown}\n`);
    log(`written to bench/.results/bench-${stamp}.md and .json`);
  } finally {
    load?.stop();
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    await sink?.close();
    await database?.drop();
  }
}

// Ctrl-C or a kill: the finally in main() stops every started process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopRequested = true;
    log(`${signal}: stopping the started processes ...`);
    void Promise.all(startedServices.map((service) => service.stop().catch(() => undefined))).then(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
