import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createUndiciHttpClient } from '../../src/providers/shared/http-client.ts';
import { type HttpClient } from '../../src/core/ports.ts';
import type { UpstreamSimulator } from './upstream-scenario.ts';

/**
 * Starts a simulator and an undici client before the enclosing describe block's tests, hands both
 * to `use`, closes them afterwards, and starts each test from a one-word text answer.
 */
export function useSimulatorAndClient<Simulator extends UpstreamSimulator>(
  start: () => Promise<Simulator>,
  use: (started: { simulator: Simulator; http: HttpClient }) => void,
): void {
  let simulator: Simulator | undefined;
  let http: HttpClient | undefined;
  beforeAll(async () => {
    simulator = await start();
    http = createUndiciHttpClient();
    use({ simulator, http });
  });
  afterAll(async () => {
    await http?.close();
    await simulator?.close();
  });
  beforeEach(() => {
    simulator!.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 5, output: 1 } });
  });
}
