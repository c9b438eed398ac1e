// Tables of cases for the REST edge's pure mappers.
import { describe, expect, it } from 'vitest';
import { GatewayError, RateLimitedError, type ErrorCode } from '../../src/core/errors.ts';
import type { FinishReason } from '../../src/core/types.ts';
import { anthropicErrorFormat } from '../../src/http/anthropic/anthropic-error-format.ts';
import { mapFinishReasonToAnthropic } from '../../src/http/anthropic/map-finish-reason-to-anthropic.ts';
import { usdPerToken } from '../../src/http/openai/convert-catalog-model-to-openai.ts';
import { mapFinishReasonToOpenAI } from '../../src/http/openai/map-finish-reason-to-openai.ts';
import { openAIErrorFormat } from '../../src/http/openai/openai-error-format.ts';
import { openAIChatRequestSchema } from '../../src/http/openai/openai-chat-request-schema.ts';
import { describeZodError } from '../../src/http/shared/describe-zod-error.ts';
import { retryHeaders } from '../../src/http/shared/http-status.ts';

describe('usdPerToken', () => {
  it.each([
    [0n, '0'],
    [150_000n, '0.00000015'],
    [2_000_000n, '0.000002'],
    [3_750_000n, '0.00000375'],
    [75_000_000n, '0.000075'],
    [1n, '0.000000000001'],
    [2_000_000_000_000n, '2'],
  ])('%s micro-USD per 1M tokens is %s USD per token', (micro, expected) => {
    expect(usdPerToken(micro)).toBe(expected);
  });
});

describe('finish reasons', () => {
  const reason = (unified: FinishReason['unified'], raw: string | null = null): FinishReason => ({ unified, raw });
  it.each([
    [reason('STOP', 'stop'), false, 'stop', 'end_turn'],
    [reason('STOP', 'stop_sequence'), false, 'stop', 'stop_sequence'],
    [reason('LENGTH', 'max_tokens'), false, 'length', 'max_tokens'],
    [reason('TOOL_CALLS', 'tool_calls'), true, 'tool_calls', 'tool_use'],
    [reason('STOP', 'STOP'), true, 'tool_calls', 'tool_use'],
    [reason('CONTENT_FILTER', 'SAFETY'), false, 'content_filter', 'refusal'],
    [reason('ERROR'), false, 'error', 'end_turn'],
    [reason('OTHER', 'pause_turn'), false, 'stop', 'pause_turn'],
  ])('%o (tool calls: %s) -> OpenAI %s, Anthropic %s', (finish, hasToolCalls, openai, anthropic) => {
    expect(mapFinishReasonToOpenAI(finish, hasToolCalls)).toBe(openai);
    expect(mapFinishReasonToAnthropic(finish, hasToolCalls)).toBe(anthropic);
  });
});

describe('error statuses', () => {
  it.each<[ErrorCode, number, number, string]>([
    ['UNAUTHENTICATED', 401, 401, 'authentication_error'],
    ['FORBIDDEN', 403, 403, 'permission_error'],
    ['MODEL_NOT_FOUND', 404, 404, 'not_found_error'],
    ['INVALID_REQUEST', 400, 400, 'invalid_request_error'],
    ['CONTEXT_LENGTH_EXCEEDED', 400, 400, 'invalid_request_error'],
    ['RATE_LIMITED', 429, 429, 'rate_limit_error'],
    ['BUDGET_EXCEEDED', 402, 402, 'billing_error'],
    ['BUDGET_UNAVAILABLE', 503, 503, 'api_error'],
    ['OVERLOADED', 503, 529, 'overloaded_error'],
    ['TIMEOUT', 408, 504, 'timeout_error'],
    ['UPSTREAM_AUTHENTICATION', 502, 502, 'api_error'],
    ['UPSTREAM_ERROR', 502, 502, 'api_error'],
    ['INTERNAL', 500, 500, 'api_error'],
  ])('%s -> OpenAI %i, Anthropic %i %s', (code, openaiStatus, anthropicStatus, anthropicType) => {
    const error = new GatewayError(code, 'upstream said sk-secret-123', { provider: 'oai' });
    expect(openAIErrorFormat(error).status).toBe(openaiStatus);
    const anthropic = anthropicErrorFormat(error);
    expect(anthropic.status).toBe(anthropicStatus);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: anthropicType } });
    if (code === 'UPSTREAM_AUTHENTICATION' || code === 'INTERNAL') expect(JSON.stringify(anthropic.body)).not.toContain('sk-secret');
  });

  it('turns retryAfterMs into retry-after seconds and retry-after-ms', () => {
    expect(retryHeaders(new RateLimitedError('slow', { retryAfterMs: 1500 }))).toEqual({ 'retry-after': '2', 'retry-after-ms': '1500' });
  });
});

describe('validation messages name the field', () => {
  it.each([
    [{ messages: [] }, 'messages: at least one message is required'],
    [{ messages: [{ role: 'user' }] }, 'messages[0].content:'],
    [{ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] }, 'tools[0].function.name:'],
    [{ messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n: only one choice'],
    [{ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema' } }, 'response_format.json_schema:'],
    [[], '(body):'],
  ])('%j -> %s', (body, expected) => {
    const parsed = openAIChatRequestSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(describeZodError(parsed.error!).message.startsWith(expected)).toBe(true);
  });
});
