// The open-loop fixed-rate generator: request i is sent at t0 + i / rate whether or not earlier
// requests were answered, over a keep-alive undici Pool, and its latency runs from that scheduled
// time to the response's last byte. A closed loop (autocannon's connections, or its fixed-rate
// mode, which releases each second's requests in one burst) waits for answers before sending and
// so hides the queue a slow gateway builds; this does not (PERFORMANCE.md, "Load generation
// pitfalls"). Warm-up requests run on the same schedule just before the measured window.
import { Pool } from 'undici';
import type { RateFigures, RateLoad } from './load-commands.ts';
import { cpuPer, openProcessWindow, processFigures, type ProcessWindow } from './process-stats.ts';
import { gatewayCore } from './services.ts';
import { percentile, Samples } from './statistics.ts';

const monotonicMicroseconds = () => Number(process.hrtime.bigint() / 1000n);

/** Delay before the first scheduled send, so the first timers are not already late. */
const leadMs = 20;

export async function runRate(load: RateLoad): Promise<RateFigures> {
  const target = new URL(load.url);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, { connections: load.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const interval = 1000 / load.rate;
  const warmupRequests = Math.round(load.warmupSeconds * load.rate);
  const totalRequests = warmupRequests + Math.round(load.durationSeconds * load.rate);

  const latencies = new Samples();
  const sendLags = new Samples();
  let failedRequests = 0;
  let timeouts = 0;
  let firstFailure: string | null = null;
  let completedInWindow = 0;
  let settled = 0;
  let allSettled!: () => void;
  const drained = new Promise<void>((resolve) => (allSettled = resolve));

  // The measured window: opened when the first measured request is due, closed when the schedule ends.
  let closeProcessWindow: (() => ProcessWindow | undefined) | undefined;
  let windowOpen = false;
  let windowStartedAt = 0;
  let windowEndedAt = 0;
  let monotonicWindow: [number, number] = [0, 0];
  let processWindow: ProcessWindow | undefined;
  const openWindow = () => {
    closeProcessWindow = openProcessWindow(load.pid, gatewayCore);
    monotonicWindow = [monotonicMicroseconds(), 0];
    windowStartedAt = performance.now();
    windowOpen = true;
  };
  const closeWindow = () => {
    windowOpen = false;
    windowEndedAt = performance.now();
    monotonicWindow[1] = monotonicMicroseconds();
    processWindow = closeProcessWindow?.();
  };

  const fail = (timedOut: boolean, message: string) => {
    if (timedOut) timeouts++;
    else failedRequests++;
    firstFailure ??= message;
  };

  const send = (index: number, scheduledAt: number) => {
    const measured = index >= warmupRequests;
    if (measured) sendLags.push(performance.now() - scheduledAt);
    // Runs from the send, which is within the generator's lag of the schedule.
    const signal = AbortSignal.timeout(load.timeoutMs);
    pool
      .request({ path, method: 'POST', headers: load.headers, body: load.body, signal })
      .then(async (response) => ({ status: response.statusCode, text: await response.body.text() }))
      .then(
        ({ status, text }) => {
          const ok = status >= 200 && status < 300 && text.includes(load.expectText);
          if (ok && windowOpen) completedInWindow++;
          if (!measured) return;
          if (ok) latencies.push(performance.now() - scheduledAt);
          else fail(false, `status ${status}: ${text.slice(0, 300)}`);
        },
        (error: Error) => {
          if (measured) fail(signal.aborted, signal.aborted ? `no answer within ${load.timeoutMs} ms` : error.message);
        },
      )
      .finally(() => {
        if (++settled === totalRequests) allSettled();
      });
  };

  const start = performance.now() + leadMs;
  let next = 0;
  await new Promise<void>((scheduleEnded) => {
    const tick = () => {
      const now = performance.now();
      // Everything due by now goes out: a late timer sends what it owes at once, each request still timed from its own schedule.
      while (next < totalRequests && start + next * interval <= now) {
        if (next === warmupRequests) openWindow();
        send(next, start + next * interval);
        next++;
      }
      const dueAt = start + next * interval;
      if (next < totalRequests) setTimeout(tick, dueAt - performance.now());
      else
        setTimeout(() => {
          closeWindow();
          scheduleEnded();
        }, dueAt - performance.now());
    };
    setTimeout(tick, leadMs);
  });
  if (totalRequests > 0) await drained;
  await pool.destroy();

  const durationSeconds = (windowEndedAt - windowStartedAt) / 1000;
  const sorted = latencies.sorted();
  const scheduledRequests = totalRequests - warmupRequests;
  return {
    kind: 'rate',
    offeredRate: load.rate,
    durationSeconds,
    scheduledRequests,
    okRequests: latencies.length,
    failedRequests,
    timeouts,
    achievedRate: durationSeconds > 0 ? completedInWindow / durationSeconds : 0,
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP90Ms: percentile(sorted, 0.9),
    latencyP99Ms: percentile(sorted, 0.99),
    latencyMaxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    sendLagP99Ms: percentile(sendLags.sorted(), 0.99),
    ...processFigures(processWindow),
    cpuMicrosecondsPerRequest: cpuPer(processWindow, completedInWindow),
    window: monotonicWindow,
    firstFailure,
  };
}
