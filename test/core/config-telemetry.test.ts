// The metrics and tracing sections of the config and the standard OpenTelemetry variables.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { loadConfigFile as load } from '../helpers/config-files.ts';

describe('metrics and tracing config', () => {
  it('defaults: metrics on the main port without key labels; no traces', () => {
    const config = load('');
    expect(config.metrics).toEqual({ enabled: true, listen: undefined, keyLabel: false });
    expect(config.tracing).toEqual({ tracesUrl: undefined, serviceName: 'modelgraph', captureContent: false });
  });

  it('reads metrics.listen as host and port, and refuses what is not host:port', () => {
    expect(load('metrics: { listen: "0.0.0.0:9464", keyLabel: true }').metrics).toEqual({ enabled: true, listen: { host: '0.0.0.0', port: 9464 }, keyLabel: true });
    expect(load('metrics: { listen: "[::1]:9464" }').metrics.listen).toEqual({ host: '::1', port: 9464 });
    expect(() => load('metrics: { listen: "9464" }')).toThrow(ConfigError);
  });

  it('turns traces on from tracing.endpoint or the OTEL_* variables, which win', () => {
    expect(load('tracing: { endpoint: "http://collector:4318/" }').tracing.tracesUrl).toBe('http://collector:4318/v1/traces');
    expect(load('tracing: { endpoint: "http://collector:4318" }', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' }).tracing.tracesUrl).toBe('http://other:4318/v1/traces');
    expect(load('', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom' }).tracing.tracesUrl).toBe('http://other:4318/custom');
    expect(load('', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318', OTEL_SDK_DISABLED: 'true' }).tracing.tracesUrl).toBeUndefined();
    expect(load('', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318', OTEL_SERVICE_NAME: 'gateway-eu' }).tracing.serviceName).toBe('gateway-eu');
    expect(() => load('', { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL/);
  });

  it('captures content only when opted in: tracing.captureContent, or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, which wins', () => {
    expect(load('tracing: { captureContent: true }').tracing.captureContent).toBe(true);
    expect(load('', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE' }).tracing.captureContent).toBe(true);
    expect(load('tracing: { captureContent: true }', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'false' }).tracing.captureContent).toBe(false);
    expect(() => load('', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes' })).toThrow(/OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: expected true or false/);
  });
});
