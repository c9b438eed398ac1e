// The fixture of the router suites: one OpenAI simulator whose answers are scripted per key (an
// upstream model, or route and model), providers that all reach it, and router harnesses closed
// after the file. `scripts[key]` says what the key's n-th call (1-based) answers; `calls[key]`
// counts them; both are cleared before each test.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { createRouterHarness, type DeploymentSpec, type RouterHarnessOptions } from './router-harness.ts';
import type { RecordedRequest, Scenario, UpstreamSimulator } from './upstream-scenario.ts';

export interface ScriptedRouterOptions {
  /** Provider ids; every one reaches the simulator. */
  providers: string[];
  /** The key a request's script and count go under. */
  keyOf(request: RecordedRequest): string;
  /** What a key without a script answers. */
  unscripted(key: string): Scenario;
}

export interface ScriptedRouter {
  scripts: Record<string, (call: number) => Scenario>;
  calls: Record<string, number>;
  /** The requests the simulator received, oldest first. */
  requests(): readonly RecordedRequest[];
  harness(deployments: DeploymentSpec[], options?: Partial<RouterHarnessOptions>): ReturnType<typeof createRouterHarness>;
}

export function useScriptedRouter(options: ScriptedRouterOptions): ScriptedRouter {
  let simulator: UpstreamSimulator | undefined;
  const harnesses: Array<{ close(): Promise<void> }> = [];
  const fixture: ScriptedRouter = {
    scripts: {},
    calls: {},
    requests: () => simulator!.requests,
    harness(deployments, harnessOptions = {}) {
      const providers = Object.fromEntries(options.providers.map((id) => [id, simulator!.baseUrl]));
      const created = createRouterHarness({ providers, deployments, ...harnessOptions });
      harnesses.push(created);
      return created;
    },
  };
  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    simulator.setScenario((request) => {
      const key = options.keyOf(request);
      const call = (fixture.calls[key] = (fixture.calls[key] ?? 0) + 1);
      return fixture.scripts[key]?.(call) ?? options.unscripted(key);
    });
  });
  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    await simulator?.close();
  });
  beforeEach(() => {
    fixture.scripts = {};
    fixture.calls = {};
  });
  return fixture;
}
