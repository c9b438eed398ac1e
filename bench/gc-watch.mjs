// A preload for the gateway under `npm run bench`, to see what sets its tail latency:
//   MG_BENCH_NODE_FLAGS="--import=$PWD/bench/gc-watch.mjs" npm run bench -- ...
// It records, relative to the process's start (ms): every GC (kind, pause, old and new space
// used after it, MB), every event-loop stall over 15 ms (a 5 ms timer running late), every
// request slower than 30 ms (path, `+key` when not the admin key) and requests per second by
// path. When the process exits it writes them as JSON to <tmpdir>/gc-watch-<pid>.json (the bench
// starts the gateway with a clean environment, so that is /tmp).
import { PerformanceObserver, constants } from 'node:perf_hooks';
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';

const kinds = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const usedMb = (name) => Math.round((v8.getHeapSpaceStatistics().find((space) => space.space_name === name)?.space_used_size ?? 0) / 1e5) / 10;

const gcs = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcs.push([Math.round(entry.startTime), kinds[entry.detail?.kind] ?? '?', +entry.duration.toFixed(1), usedMb('old_space'), usedMb('new_space')]);
  }
}).observe({ entryTypes: ['gc'] });

const stalls = [];
let expected = performance.now() + 5;
const tick = () => {
  const now = performance.now();
  if (now - expected > 15) stalls.push([Math.round(expected), +(now - expected).toFixed(1)]);
  expected = now + 5;
  setTimeout(tick, 5).unref();
};
setTimeout(tick, 5).unref();

const adminKey = process.env.MODELGRAPH_ADMIN_KEY;
const perSecond = new Map();
const slow = [];
diagnostics.subscribe('http.server.request.start', ({ request, response }) => {
  const started = performance.now();
  const kind = `${(request.url ?? '/').split('?')[0]}${request.headers.authorization === `Bearer ${adminKey}` ? '' : '+key'}`;
  const second = `${Math.floor(started / 1000)} ${kind}`;
  perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  response.once('finish', () => {
    const ms = performance.now() - started;
    if (ms > 30) slow.push([Math.round(started), kind, +ms.toFixed(1)]);
  });
});

process.on('exit', () => {
  const file = join(tmpdir(), `gc-watch-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ gcs, stalls, slow, perSecond: [...perSecond] }));
});
