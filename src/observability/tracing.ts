// OpenTelemetry traces, loaded (import()) only when an OTLP endpoint is configured: with tracing
// off none of the SDK is in the process. One SERVER span per request or WebSocket operation, child
// CLIENT spans per upstream attempt (gen-ai-spans.ts), exported in batches over OTLP/HTTP (JSON).
// A client's W3C `traceparent` is the request span's parent. Each upstream request carries its
// attempt's span as `traceparent`, injected by the HTTP client every adapter shares (not by each
// provider): the client finds the attempt by the attempt's abort signal, which every adapter hands
// it unchanged, so this works whatever the transport (HTTP, SSE, WebSocket) and needs no async
// context. Upstream requests that belong to no attempt (token counts) carry the request's span.
import type { IncomingMessage } from 'node:http';
import { context, createContextKey, ROOT_CONTEXT, SpanKind, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ObservedRequest, RequestTelemetry } from '../core/telemetry/request-telemetry.ts';
import type { HttpClient } from '../core/ports.ts';
import { endAttemptSpan, endRequestSpan, requestStartAttributes, startAttemptSpan, type SpanContent, type SpanNaming } from './gen-ai-spans.ts';

export interface TracingOptions extends SpanNaming, SpanContent {
  tracesUrl: string;
  serviceName: string;
  serviceVersion: string;
}

export interface Tracing {
  telemetry: RequestTelemetry;
  /** Runs an incoming HTTP request's handling in its trace context (the client's traceparent, then the request's span). */
  requestContext<T>(request: IncomingMessage, run: () => Promise<T>): Promise<T>;
  /** The same client, adding `traceparent` (and `tracestate`) of the request being handled to each upstream request. */
  propagatingHttpClient(http: HttpClient): HttpClient;
  /** Exports what is pending and stops. */
  stop(): Promise<void>;
}

/** The request being handled: the client's context, and the request's span once the access log opened it. */
interface RequestTrace {
  parent: Context;
  span: Span | undefined;
}

const REQUEST_TRACE = createContextKey('modelgraph request trace');

const headerGetter: TextMapGetter<IncomingMessage['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

// One context manager per process (a global of the OpenTelemetry API), set by the first app that traces.
let contextManagerSet = false;

export function startTracing(options: TracingOptions): Tracing {
  if (!contextManagerSet) {
    contextManagerSet = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesUrl }))],
  });
  const tracer = provider.getTracer('modelgraph', options.serviceVersion);
  const propagator = new W3CTraceContextPropagator();
  /** The span of each attempt under way, by the signal its adapter passes to the HTTP client. */
  const attemptSpans = new WeakMap<AbortSignal, Span>();
  const inject = (parent: Context, headers: Record<string, string>) =>
    propagator.inject(parent, headers, {
      set: (carrier, key, value) => {
        carrier[key] = value;
      },
    });

  const telemetry: RequestTelemetry = {
    requestStarted(request: ObservedRequest) {
      const current = context.active().getValue(REQUEST_TRACE) as RequestTrace | undefined;
      const parent = current?.parent ?? (request.traceCarrier ? propagator.extract(ROOT_CONTEXT, request.traceCarrier, headerGetter) : ROOT_CONTEXT);
      const span = tracer.startSpan(request.route, { kind: SpanKind.SERVER, attributes: requestStartAttributes(request) }, parent);
      if (current) current.span = span;
      request.telemetrySlot = span;
    },
    requestEnded(request, end) {
      const span = request.telemetrySlot as Span | undefined;
      if (span) endRequestSpan(options, span, request, end);
    },
    attemptStarted(request, start) {
      const requestSpan = request.telemetrySlot as Span | undefined;
      const parent = requestSpan ? trace.setSpan(ROOT_CONTEXT, requestSpan) : context.active();
      const span = startAttemptSpan(tracer, options, parent, start);
      attemptSpans.set(start.signal, span);
      return {
        ended(attempt, answer) {
          attemptSpans.delete(start.signal);
          endAttemptSpan(span, options, attempt, answer);
        },
      };
    },
  };

  return {
    telemetry,
    requestContext(request, run) {
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const requestTrace: RequestTrace = { parent, span: undefined };
      return context.with(parent.setValue(REQUEST_TRACE, requestTrace), run);
    },
    propagatingHttpClient(http) {
      return {
        ...(http.responseLimitBytes !== undefined ? { responseLimitBytes: http.responseLimitBytes } : {}),
        request(upstreamRequest) {
          const attemptSpan = upstreamRequest.signal ? attemptSpans.get(upstreamRequest.signal) : undefined;
          const current = attemptSpan ? undefined : (context.active().getValue(REQUEST_TRACE) as RequestTrace | undefined);
          const parent = attemptSpan ? trace.setSpan(ROOT_CONTEXT, attemptSpan) : current && (current.span ? trace.setSpan(current.parent, current.span) : current.parent);
          if (!parent) return http.request(upstreamRequest);
          const headers = { ...upstreamRequest.headers };
          inject(parent, headers);
          return http.request({ ...upstreamRequest, headers });
        },
        close: (graceMs) => http.close(graceMs),
      };
    },
    stop: () => provider.shutdown(),
  };
}
