import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../src/core/types.ts';
import { bedrockError } from '../../src/providers/bedrock/bedrock-error.ts';
import { createBedrockStreamDecoder } from '../../src/providers/bedrock/bedrock-stream.ts';
import { createBedrockAdapter, type BedrockAdapterOptions } from '../../src/providers/bedrock/create-bedrock-adapter.ts';
import { mapBedrockStopReason } from '../../src/providers/bedrock/map-bedrock-stop-reason.ts';
import { loadEventStreamCodec } from '../../src/providers/bedrock/read-bedrock-event-stream.ts';
import { createAwsRequestSigner } from '../../src/providers/bedrock/sign-aws-request.ts';
import { createProviderAdapter, findProviderKind, isConfigured } from '../../src/providers/registry.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { decodeBody, itMapsFinishReasons, messagesAndConverseStopReasons, sayHi, signal, wholeToolCall } from '../helpers/provider-test-kit.ts';
import { encodeBedrockEvent, encodeBedrockException, simulatedAccessKeyId, startBedrockSimulator, type BedrockSimulator } from './bedrock-simulator.ts';

runAdapterCases({
  name: 'bedrock',
  startSimulator: () => startBedrockSimulator(),
  createAdapter: ({ baseUrl, http, apiKey }) =>
    createBedrockAdapter({ providerId: 'bedrock', baseUrl, http, region: 'us-east-1', credentials: { accessKeyId: simulatedAccessKeyId, secretAccessKey: apiKey } }),
  model: 'anthropic.claude-sonnet-4-20250514-v1:0',
  // Converse streams reasoning but reports no reasoning-token count; covered below instead.
  supportsReasoning: false,
});

describe('SigV4 signing (the code path the adapter signs with)', () => {
  // The AWS Signature Version 4 test suite: credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
  // region us-east-1, service "service", 2015-08-30T12:36:00Z, host example.amazonaws.com, empty body.
  const sign = createAwsRequestSigner({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    region: 'us-east-1',
    service: 'service',
  });
  const at = new Date('2015-08-30T12:36:00Z');

  it('reproduces get-vanilla', async () => {
    const headers = await sign({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {} }, at);
    expect(headers).toEqual({
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
  });

  it('reproduces post-vanilla', async () => {
    const headers = await sign({ method: 'POST', url: 'https://example.amazonaws.com/', headers: {}, body: '' }, at);
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    );
  });
});

const claude = 'anthropic.claude-sonnet-4-20250514-v1:0';
const hello = sayHi(claude);

describe('bedrock adapter against the simulator', () => {
  let simulator: BedrockSimulator;
  let http: HttpClient;
  const adapter = (extra: Partial<BedrockAdapterOptions> = {}) =>
    createBedrockAdapter({
      providerId: 'bedrock',
      baseUrl: simulator.baseUrl,
      http,
      region: 'us-east-1',
      credentials: { accessKeyId: simulatedAccessKeyId, secretAccessKey: 'sk-test-key' },
      ...extra,
    });
  const last = () => simulator.requests.at(-1)!;
  const lastBody = () => last().body as Record<string, unknown>;

  useSimulatorAndClient(
    () => startBedrockSimulator({ secrets: { [simulatedAccessKeyId]: 'sk-test-key', ASIATEMPORARY0000001: 'temporary-secret' }, apiKeys: ['ABSKbedrock-api-key'] }),
    (started) => ({ simulator, http } = started),
  );

  it('signs POST /model/{id}/converse with SigV4 scoped to bedrock, dated by the injected clock', async () => {
    const clock = { now: () => Date.parse('2024-01-02T03:04:05Z') };
    const result = await adapter({ clock, headers: { 'x-extra': 'yes' } }).generate(hello, signal());
    expect(result.text).toBe('ok');
    const recorded = last();
    expect(recorded.url).toBe('/model/anthropic.claude-sonnet-4-20250514-v1%3A0/converse');
    expect(recorded.headers['x-amz-date']).toBe('20240102T030405Z');
    expect(recorded.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIASIMULATED000001\/20240102\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-extra, Signature=[0-9a-f]{64}$/,
    );
    expect(recorded.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  it('encodes an inference-profile ARN as one path segment, signing the doubly-encoded path', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0';
    await collect(adapter().stream({ ...hello, model: arn }, signal()));
    expect(last().url).toBe(`/model/${encodeURIComponent(arn)}/converse-stream`);
    expect(last().url).toContain('inference-profile%2Fus.anthropic');
  });

  it('sends a session token as a signed x-amz-security-token', async () => {
    await adapter({ credentials: { accessKeyId: 'ASIATEMPORARY0000001', secretAccessKey: 'temporary-secret', sessionToken: 'FwoGZXIvYXdzE-token' } }).generate(hello, signal());
    expect(last().headers['x-amz-security-token']).toBe('FwoGZXIvYXdzE-token');
    expect(last().headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token');
  });

  it('is refused with a wrong secret (InvalidSignatureException) or an unknown key (UnrecognizedClientException)', async () => {
    await expect(adapter({ credentials: { accessKeyId: simulatedAccessKeyId, secretAccessKey: 'wrong' } }).generate(hello, signal())).rejects.toMatchObject({
      code: 'UPSTREAM_AUTHENTICATION',
      upstreamStatus: 403,
      upstreamCode: 'InvalidSignatureException',
    });
    await expect(adapter({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } }).generate(hello, signal())).rejects.toMatchObject({
      code: 'UPSTREAM_AUTHENTICATION',
      upstreamCode: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('sends a Bedrock API key as a bearer token when no IAM credentials are given', async () => {
    const keyed = createBedrockAdapter({ providerId: 'bedrock', baseUrl: simulator.baseUrl, http, region: 'us-east-1', apiKey: 'ABSKbedrock-api-key' });
    expect((await keyed.generate(hello, signal())).text).toBe('ok');
    expect(last().headers.authorization).toBe('Bearer ABSKbedrock-api-key');
    expect(last().headers['x-amz-date']).toBeUndefined();
  });

  it('sends system blocks, alternating turns, image bytes, tool use and results, and the inference config', async () => {
    await adapter().generate(
      {
        model: claude,
        messages: [
          { role: 'system', content: 'You are terse.', cacheControl: { type: 'ephemeral' } },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' }] },
          { role: 'user', content: [{ type: 'image', url: 'data:image/jpg;base64,/9j/4AAQ' }] },
          { role: 'assistant', content: 'Let me check.', toolCalls: [{ id: 'tooluse_1', name: 'lookup', arguments: '{"q":"cat"}' }] },
          { role: 'tool', toolCallId: 'tooluse_1', content: 'a cat', isError: false },
          { role: 'tool', toolCallId: 'tooluse_2', content: 'boom', isError: true },
        ],
        temperature: 0.2,
        topP: 0.9,
        maxOutputTokens: 300,
        stop: ['END'],
        seed: 1,
        user: 'u1',
        tools: [{ name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
        toolChoice: { name: 'lookup' },
      },
      signal(),
    );
    expect(lastBody()).toEqual({
      system: [{ text: 'You are terse.' }, { cachePoint: { type: 'default' } }],
      messages: [
        {
          role: 'user',
          content: [
            { text: 'What is this?' },
            { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
            { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } },
          ],
        },
        { role: 'assistant', content: [{ text: 'Let me check.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'lookup', input: { q: 'cat' } } }] },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'a cat' }] } },
            { toolResult: { toolUseId: 'tooluse_2', content: [{ text: 'boom' }], status: 'error' } },
          ],
        },
      ],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'lookup', description: 'Looks things up', inputSchema: { json: { type: 'object', properties: { q: { type: 'string' } } } } } }],
        toolChoice: { tool: { name: 'lookup' } },
      },
    });
  });

  it('maps tool choices, a none choice sending no tools', async () => {
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    await adapter().generate({ ...hello, tools, toolChoice: 'auto' }, signal());
    expect((lastBody().toolConfig as Record<string, unknown>).toolChoice).toEqual({ auto: {} });
    await adapter().generate({ ...hello, tools, toolChoice: 'required' }, signal());
    expect((lastBody().toolConfig as Record<string, unknown>).toolChoice).toEqual({ any: {} });
    await adapter().generate({ ...hello, tools }, signal());
    expect((lastBody().toolConfig as Record<string, unknown>).toolChoice).toBeUndefined();
    await adapter().generate({ ...hello, tools, toolChoice: 'none' }, signal());
    expect(lastBody().toolConfig).toBeUndefined();
  });

  it('rejects image URLs before calling the upstream, since Bedrock does not fetch them', async () => {
    const before = simulator.requests.length;
    await expect(
      adapter().generate({ ...hello, messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] }] }, signal()),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(simulator.requests.length).toBe(before);
  });

  it('asks Claude models for thinking through additionalModelRequestFields, dropping temperature, and other models for nothing', async () => {
    await adapter().generate({ ...hello, temperature: 0.5, maxOutputTokens: 1000, reasoning: { budgetTokens: 2000 } }, signal());
    expect(lastBody().additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2000 } });
    expect(lastBody().inferenceConfig).toEqual({ maxTokens: 3000 });
    await adapter().generate({ ...hello, model: 'amazon.nova-pro-v1:0', temperature: 0.5, reasoning: { effort: 'high' } }, signal());
    expect(lastBody().additionalModelRequestFields).toBeUndefined();
    expect(lastBody().inferenceConfig).toEqual({ temperature: 0.5 });
  });

  it('asks for structured output with outputConfig.textFormat, the schema as a JSON string', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    await adapter().generate({ ...hello, responseFormat: { type: 'json_schema', name: 'answer', schema, description: 'The answer' } }, signal());
    expect(lastBody().outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'answer', description: 'The answer' } } },
    });
    await adapter().generate({ ...hello, responseFormat: { type: 'json_object' } }, signal());
    expect(lastBody().outputConfig).toBeUndefined();
  });

  it('reports reasoning text and keeps its signature as a reasoning block, and sends it back on the next turn', async () => {
    simulator.setScenario({ kind: 'text', reasoningChunks: ['Think', 'ing...'], chunks: ['42'], usage: { input: 10, output: 20 } });
    const result = await adapter().generate({ ...hello, reasoning: { effort: 'low' } }, signal());
    const signature = Buffer.from('sig:Thinking...').toString('base64');
    expect(result).toMatchObject({ text: '42', reasoning: 'Thinking...', reasoningBlocks: [{ type: 'thinking', text: 'Thinking...', signature }] });
    const parts = await collect(adapter().stream({ ...hello, reasoning: { effort: 'low' } }, signal()));
    expect(parts.flatMap((p) => (p.type === 'reasoning-delta' ? [p.text] : [])).join('')).toBe('Thinking...');
    expect(parts).toContainEqual({ type: 'reasoning-block', block: { type: 'thinking', text: 'Thinking...', signature } });
    await adapter().generate(
      { ...hello, messages: [...hello.messages, { role: 'assistant', content: '42', reasoning: result.reasoningBlocks }, { role: 'user', content: [{ type: 'text', text: 'Why?' }] }] },
      signal(),
    );
    expect((lastBody().messages as Array<{ content: unknown[] }>)[1]!.content).toEqual([
      { reasoningContent: { reasoningText: { text: 'Thinking...', signature } } },
      { text: '42' },
    ]);
  });

  it('counts cache reads and writes into the input, and reports the request id', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 100, output: 7, cachedInput: 60, cacheWrite: 30 } });
    const result = await adapter().generate(hello, signal());
    const expected = { inputTokens: 100, outputTokens: 7, cachedInputTokens: 60, cacheWriteTokens: 30, reasoningTokens: 0 };
    expect(result.usage).toEqual(expected);
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    const parts = await collect(adapter().stream(hello, signal()));
    expect(parts.filter((p) => p.type === 'usage')).toEqual([{ type: 'usage', usage: expected }]);
    expect(parts[0]).toMatchObject({ type: 'response-metadata', id: expect.stringMatching(/^[0-9a-f-]{36}$/), model: null });
  });

  it('is the registry kind "bedrock", configured by a region and IAM credentials or an API key', async () => {
    expect(findProviderKind('bedrock')).toMatchObject({ protocol: 'bedrock', catalogId: 'amazon-bedrock', requiresApiKey: false });
    const base = { id: 'aws', kind: 'bedrock' as const };
    expect(isConfigured({ ...base, accessKeyId: 'a', secretAccessKey: 's' })).toBe(false);
    expect(isConfigured({ ...base, region: 'eu-west-1', accessKeyId: 'a' })).toBe(false);
    expect(isConfigured({ ...base, region: 'eu-west-1', accessKeyId: 'a', secretAccessKey: 's' })).toBe(true);
    expect(isConfigured({ ...base, region: 'eu-west-1', apiKey: 'ABSK...' })).toBe(true);
    const built = createProviderAdapter(
      { ...base, baseUrl: simulator.baseUrl, region: 'us-east-1', accessKeyId: 'ASIATEMPORARY0000001', secretAccessKey: 'temporary-secret', sessionToken: 'session' },
      http,
    );
    expect((await built.generate(hello, signal())).text).toBe('ok');
    expect(last().headers['x-amz-security-token']).toBe('session');
  });

  it('maps a 503 to OVERLOADED and a 403 AccessDeniedException to UPSTREAM_PERMISSION', async () => {
    simulator.setScenario({ kind: 'error', status: 503, message: 'Bedrock is unable to process your request.' });
    await expect(adapter().generate(hello, signal())).rejects.toMatchObject({ code: 'OVERLOADED', upstreamCode: 'ServiceUnavailableException', provider: 'bedrock' });
    simulator.setScenario({ kind: 'error', status: 403, message: 'You do not have access to the model with the specified model ID.' });
    await expect(adapter().generate(hello, signal())).rejects.toMatchObject({ code: 'UPSTREAM_PERMISSION', upstreamCode: 'AccessDeniedException' });
  });
});

describe('mapBedrockStopReason', () => {
  itMapsFinishReasons('%s -> %s', mapBedrockStopReason, [
    ...messagesAndConverseStopReasons,
    ['guardrail_intervened', 'CONTENT_FILTER'],
    ['content_filtered', 'CONTENT_FILTER'],
    ['malformed_model_output', 'ERROR'],
    ['malformed_tool_use', 'ERROR'],
    ['something_new', 'OTHER'],
  ]);
});

describe('bedrockError', () => {
  const error = (status: number, type: string | undefined, body: unknown) =>
    bedrockError({ providerId: 'bedrock', status, headers: type === undefined ? {} : { 'x-amzn-errortype': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it.each([
    [429, 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/', 'Too many requests, please wait before trying again.', 'RATE_LIMITED'],
    [429, 'ModelNotReadyException', 'Model is not ready for inference.', 'OVERLOADED'],
    [400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account.', 'RATE_LIMITED'],
    [408, 'ModelTimeoutException', 'Model has timed out in processing the request.', 'TIMEOUT'],
    [424, 'ModelErrorException', 'The model returned an error.', 'UPSTREAM_ERROR'],
    [404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.', 'MODEL_NOT_FOUND'],
    [400, 'ValidationException', 'Input is too long for requested model.', 'CONTEXT_LENGTH_EXCEEDED'],
    [400, 'ValidationException', 'The model returned the following errors: input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000', 'CONTEXT_LENGTH_EXCEEDED'],
    [400, 'ValidationException', 'Malformed input request: #: extraneous key [foo] is not permitted', 'INVALID_REQUEST'],
    [403, 'com.amazon.coral.service#ExpiredTokenException', 'The security token included in the request is expired', 'UPSTREAM_AUTHENTICATION'],
  ] as const)('%s %s -> %s', (status, type, message, code) => {
    expect(error(status, type, { message })).toMatchObject({ code, message, upstreamStatus: status });
  });

  it('reads `Message` bodies, falls back to the status, and keeps a body that is not JSON', () => {
    expect(error(403, 'AccessDeniedException', { Message: 'User is not authorized' })).toMatchObject({ code: 'UPSTREAM_PERMISSION', message: 'User is not authorized' });
    expect(error(502, undefined, '<html>Bad Gateway</html>')).toMatchObject({ code: 'UPSTREAM_ERROR', message: '<html>Bad Gateway</html>' });
  });
});

describe('bedrockStream on encoded frames', () => {
  async function* bytes(...frames: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const frame of frames) yield frame;
  }
  const run = async (source: AsyncIterable<Uint8Array>) =>
    collect(decodeBody(source, createBedrockStreamDecoder({ providerId: 'bedrock', signal: signal(), codec: await loadEventStreamCodec(), requestId: 'req-1' })));
  const types = (parts: StreamPart[]) => parts.map((p) => p.type);
  const start = encodeBedrockEvent('messageStart', { role: 'assistant' });
  const text = (value: string) => encodeBedrockEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: value } });
  const metadata = encodeBedrockEvent('metadata', { usage: { inputTokens: 4, outputTokens: 2, totalTokens: 6 }, metrics: { latencyMs: 10 } });

  it('decodes frames split at any byte, with metadata after messageStop', async () => {
    const whole = Buffer.concat([start, text('héllo'), encodeBedrockEvent('contentBlockStop', { contentBlockIndex: 0 }), encodeBedrockEvent('messageStop', { stopReason: 'max_tokens' }), metadata]);
    async function* split(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < whole.length; i += 5) yield whole.subarray(i, i + 5);
    }
    expect(await run(split())).toEqual([
      { type: 'response-metadata', id: 'req-1', model: null },
      { type: 'text-delta', text: 'héllo' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'LENGTH', raw: 'max_tokens' } },
    ]);
  });

  it.each([
    ['throttlingException', 'Too many tokens, please wait before trying again.', 'RATE_LIMITED'],
    ['serviceUnavailableException', 'Bedrock is unable to process your request.', 'OVERLOADED'],
    ['modelStreamErrorException', 'The model stream errored.', 'UPSTREAM_ERROR'],
    ['validationException', 'Input is too long for requested model.', 'CONTEXT_LENGTH_EXCEEDED'],
    ['internalServerException', 'Internal error', 'UPSTREAM_ERROR'],
  ] as const)('ends the stream with a typed error for a %s event', async (type, message, code) => {
    const parts = await run(bytes(start, text('partial'), encodeBedrockException(type, message)));
    expect(types(parts)).toEqual(['response-metadata', 'text-delta', 'error']);
    expect(parts.at(-1)).toMatchObject({ error: { code, message, provider: 'bedrock' } });
  });

  it('turns a frame with a bad checksum into an UPSTREAM_PROTOCOL_ERROR part', async () => {
    const corrupt = Uint8Array.from(text('oops'));
    corrupt[corrupt.length - 6] = corrupt[corrupt.length - 6]! ^ 0xff;
    const parts = await run(bytes(start, text('fine'), corrupt));
    expect(types(parts)).toEqual(['response-metadata', 'text-delta', 'error']);
    expect(parts.at(-1)).toMatchObject({ error: { code: 'UPSTREAM_PROTOCOL_ERROR', message: 'Bedrock sent an event-stream message that does not decode' } });
  });

  it('reports a body that ends inside a frame, and one that ends before messageStop with the usage seen', async () => {
    const truncated = await run(bytes(start, text('a'), text('b').subarray(0, 10)));
    expect(truncated.at(-1)).toMatchObject({ error: { code: 'UPSTREAM_PROTOCOL_ERROR', message: 'The Bedrock event stream ended inside a message' } });
    const unfinished = await run(bytes(start, text('a'), metadata));
    expect(types(unfinished)).toEqual(['response-metadata', 'text-delta', 'usage', 'error']);
  });

  it('keeps redacted reasoning and sends {} for a tool call without input', async () => {
    const parts = await run(
      bytes(
        start,
        encodeBedrockEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: 'ZW5jcnlwdGVk' } } }),
        encodeBedrockEvent('contentBlockStop', { contentBlockIndex: 0 }),
        encodeBedrockEvent('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_9', name: 'now' } } }),
        encodeBedrockEvent('contentBlockStop', { contentBlockIndex: 1 }),
        encodeBedrockEvent('messageStop', { stopReason: 'tool_use' }),
      ),
    );
    expect(parts.slice(1)).toEqual([
      { type: 'reasoning-block', block: { type: 'redacted', data: 'ZW5jcnlwdGVk' } },
      ...wholeToolCall(0, 'tooluse_9', 'now', '{}'),
      { type: 'usage', usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'TOOL_CALLS', raw: 'tool_use' } },
    ]);
  });
});
