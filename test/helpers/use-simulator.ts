// One upstream simulator per describe block, started before its tests and closed after them. The
// returned simulator stands for the running one (usable inside tests and hooks, not while the block
// is being declared). Declared before `useTestApp`, it is started first and closed last, so a
// `config` thunk may read its `baseUrl`.
import { afterAll, beforeAll } from 'vitest';
import { lazy } from './lazy.ts';
import type { UpstreamSimulator } from './upstream-scenario.ts';

export function useSimulator<Simulator extends UpstreamSimulator>(start: () => Promise<Simulator>): Simulator {
  let simulator: Simulator | undefined;
  beforeAll(async () => {
    simulator = await start();
  });
  afterAll(async () => {
    await simulator?.close();
  });
  return lazy(() => simulator, 'the simulator');
}
