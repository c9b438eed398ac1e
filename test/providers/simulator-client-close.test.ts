// The simulators' close detection, which every cancellation test relies on: only a close the
// client started, after the test's mark, of a request open at the mark, counts.
import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../../src/core/ports.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { closeCausedBy, waitForRequestCount } from '../helpers/simulator-server.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startOpenAISimulator } from './openai-simulator.ts';

describe('simulator client-close detection', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  useSimulatorAndClient(startOpenAISimulator, (started) => ({ simulator, http } = started));

  const post = (signal?: AbortSignal) =>
    http.request({
      url: `${simulator.baseUrl}/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      ...(signal ? { signal } : {}),
    });
  const readAll = async (body: AsyncIterable<Uint8Array>) => {
    for await (const _chunk of body);
  };

  // First, while nothing has been sent.
  it('refuses to wait when no request is open at the mark', async () => {
    await expect(closeCausedBy(simulator, () => undefined)).rejects.toThrow(/no upstream request was open/);
  });

  it("does not count the simulator's own cut as a client close", async () => {
    simulator.setScenario({ kind: 'cut', chunks: ['partial'] });
    const response = await post();
    const mark = simulator.markOpenRequests();
    await expect(readAll(response.body)).rejects.toThrow();
    await expect(simulator.waitForClientClose(mark, 300)).rejects.toThrow(/did not close/);
  });

  it('does not count a finished response as a client close', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['done'], usage: { input: 1, output: 1 } });
    const response = await post();
    const mark = simulator.markOpenRequests();
    await readAll(response.body);
    await expect(simulator.waitForClientClose(mark, 300)).rejects.toThrow(/did not close/);
  });

  it('counts a client abort of an open request, and names that request', async () => {
    simulator.setScenario({ kind: 'hang', chunks: ['first'] });
    const controller = new AbortController();
    const before = simulator.requests.length;
    const response = await post(controller.signal);
    await waitForRequestCount(simulator, before + 1);
    const close = await closeCausedBy(simulator, () => controller.abort());
    expect(close.request).toBe(simulator.requests.at(-1));
    await expect(readAll(response.body)).rejects.toThrow();
  });

  it('does not count a close from before the mark, nor of a request opened after it', async () => {
    simulator.setScenario({ kind: 'hang', chunks: ['first'] });
    const earlier = new AbortController();
    await post(earlier.signal);
    await closeCausedBy(simulator, () => earlier.abort());
    // That close is on record; a mark taken now must not see it.
    const mark = simulator.markOpenRequests();
    const later = new AbortController();
    await post(later.signal);
    later.abort();
    await expect(simulator.waitForClientClose(mark, 300)).rejects.toThrow(/did not close/);
  });
});
