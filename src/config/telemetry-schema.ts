// The `metrics` and `tracing` sections of the config (README, "Operations"); composed by src/config.ts.
import { z } from 'zod';
import type { Env } from './env.ts';

/** Prometheus metrics at GET /metrics (README, "Operations"). */
export const metricsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /**
     * A separate `host:port` serving /metrics without authentication (keep it on a private
     * network); absent: /metrics on the main port, for an admin key or a key with the METRICS scope.
     */
    listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:9464').optional(),
    /** Tokens and cost also by API key id (one series per key: mind the cardinality). */
    keyLabel: z.boolean().default(false),
  })
  .strict();

/** OpenTelemetry traces over OTLP/HTTP (README, "Operations"); off unless an endpoint is set here or in OTEL_EXPORTER_OTLP_ENDPOINT. */
export const tracingSchema = z
  .object({
    /** The collector's base URL (`/v1/traces` is appended), as OTEL_EXPORTER_OTLP_ENDPOINT. */
    endpoint: z.string().url().optional(),
    serviceName: z.string().min(1).optional(),
    /**
     * Prompts and completions on attempt spans (gen_ai.input.messages, gen_ai.output.messages),
     * credentials redacted; OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT overrides it.
     */
    captureContent: z.boolean().default(false),
  })
  .strict();


/**
 * Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT or
 * `tracing.endpoint` with `/v1/traces` appended (the OpenTelemetry conventions); OTEL_SDK_DISABLED
 * or OTEL_TRACES_EXPORTER=none turns tracing off.
 */
export function tracesUrlFrom(env: Env, configured: string | undefined, problems: string[]): string | undefined {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.toLowerCase() === 'none') return undefined;
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT || configured;
  const url = signal ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (url !== undefined && !URL.canParse(url)) {
    problems.push(`${signal ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : env.OTEL_EXPORTER_OTLP_ENDPOINT ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'tracing.endpoint'}: expected a URL`);
    return undefined;
  }
  return url;
}

/** OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (`true`/`false`, the OpenTelemetry GenAI instrumentations' switch) over `tracing.captureContent`. */
export function captureContentFrom(env: Env, configured: boolean, problems: string[]): boolean {
  const value = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase();
  if (value === undefined || value === '') return configured;
  if (value === 'true' || value === 'false') return value === 'true';
  problems.push('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: expected true or false');
  return configured;
}

export function hostAndPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(value.slice(at + 1)) };
}
