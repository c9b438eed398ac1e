// The router's config: `models[]` routing attributes, `routerDefaults` and `router.groups`, parsed
// by zod and merged per group by RouterSettings.
import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUP_POLICY, RouterSettings } from '../../src/core/router/router-settings.ts';
import { configProblems, loadConfigFile as load } from '../helpers/config-files.ts';

const providers = `
providers:
  - { id: openai, kind: openai, apiKey: sk-1 }
  - { id: azure, kind: openai, apiKey: sk-2, baseUrl: "https://example.invalid/v1" }
`;

describe('router configuration', () => {
  it('reads deployment groups, defaults and per-group settings', () => {
    const config = load(`${providers}
models:
  - { name: chat, provider: openai, model: gpt-4o-mini, weight: 3, rpm: 500, tpm: 200000, tags: [us, primary], region: us-east-1 }
  - { name: chat, provider: azure, model: gpt-4o-mini, priority: 1, timeoutMs: 30000 }
  - { name: chat-long, provider: openai, model: gpt-4.1 }
routerDefaults:
  retries: { RATE_LIMITED: 3 }
  fallbackOn: { UPSTREAM_AUTHENTICATION: true }
  cooldown: { failures: 5 }
  timeouts: { firstTokenMs: 20000 }
router:
  groups:
    chat:
      strategy: lowest-latency
      fallbacks: [chat-long]
      contextWindowFallbacks: [chat-long]
      contentPolicyFallbacks: []
      backoff: { initialMs: 100 }
      timeouts: { idleMs: 5000 }
`);
    expect(config.models[0]).toMatchObject({ rpm: 500, tpm: 200000, tags: ['us', 'primary'], region: 'us-east-1' });
    const settings = new RouterSettings(config.router);
    const chat = settings.policy('chat');
    expect(chat).toMatchObject({
      strategy: 'lowest-latency',
      fallbacks: ['chat-long'],
      contextWindowFallbacks: ['chat-long'],
      backoff: { initialMs: 100, maxMs: DEFAULT_GROUP_POLICY.backoff.maxMs },
      cooldown: { failures: 5, windowMs: 60_000 },
      timeouts: { firstTokenMs: 20_000, idleMs: 5000, totalMs: DEFAULT_GROUP_POLICY.timeouts.totalMs },
    });
    expect(chat.retries).toMatchObject({ RATE_LIMITED: 3, UPSTREAM_ERROR: 1 });
    expect(chat.fallbackOn).toMatchObject({ UPSTREAM_AUTHENTICATION: true, OVERLOADED: true });
    expect(chat.fallbackOn.INVALID_REQUEST).toBeUndefined();
    expect(settings.policy('other')).toMatchObject({ strategy: 'weighted-random', fallbacks: [], cooldown: { failures: 5 } });
  });

  it('is optional', () => {
    const config = load(providers);
    expect(config.router).toEqual({ groups: {} });
    expect(new RouterSettings(config.router).policy('any')).toEqual(DEFAULT_GROUP_POLICY);
  });

  it('names the field of a bad strategy, error code or limit', () => {
    const problems = configProblems(() =>
      load(`${providers}
router:
  groups:
    chat: { strategy: fastest, retries: { TEAPOT: 1 } }
models:
  - { name: chat, provider: openai, model: gpt-4o-mini, rpm: -1 }
`),
    ).join('\n');
    expect(problems).toContain('router.groups.chat.strategy');
    expect(problems).toContain('router.groups.chat.retries');
    expect(problems).toContain('models[0].rpm');
  });
});
