// OpenTelemetry traces, loaded (import()) only when an OTLP endpoint is configured: with tracing
// off none of the SDK is in the process. One SERVER span per request or WebSocket operation, child
// CLIENT spans per upstream attempt (gen-ai-spans.ts), exported in batches over OTLP/HTTP (JSON).
// A client's W3C `traceparent` is the request span's parent; the upstream requests carry the
// request span's context, injected by the HTTP client every adapter shares (not by each provider).
import type { IncomingMessage } from 'node:http';
import { context, createContextKey, ROOT_CONTEXT, SpanKind, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ObservedRequest, RequestTelemetry } from '../core/telemetry/request-telemetry.ts';
import type { HttpClient } from '../core/ports.ts';
import { endRequestSpan, requestStartAttributes, type SpanNaming } from './gen-ai-spans.ts';

export interface TracingOptions extends SpanNaming {
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
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': options.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesUrl }))],
  });
  const tracer = provider.getTracer('modelgraph', options.serviceVersion);
  const propagator = new W3CTraceContextPropagator();

  const telemetry: RequestTelemetry = {
    requestStarted(request: ObservedRequest) {
      const current = context.active().getValue(REQUEST_TRACE) as RequestTrace | undefined;
      const span = tracer.startSpan(request.route, { kind: SpanKind.SERVER, attributes: requestStartAttributes(request) }, current?.parent ?? ROOT_CONTEXT);
      if (current) current.span = span;
      request.telemetrySlot = span;
    },
    requestEnded(request, end) {
      const span = request.telemetrySlot as Span | undefined;
      if (span) endRequestSpan(tracer, options, span, request, end);
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
          const current = context.active().getValue(REQUEST_TRACE) as RequestTrace | undefined;
          if (!current) return http.request(upstreamRequest);
          const headers = { ...upstreamRequest.headers };
          propagator.inject(current.span ? trace.setSpan(current.parent, current.span) : current.parent, headers, {
            set: (carrier, key, value) => {
              carrier[key] = value;
            },
          });
          return http.request({ ...upstreamRequest, headers });
        },
        close: (graceMs) => http.close(graceMs),
      };
    },
    stop: () => provider.shutdown(),
  };
}
