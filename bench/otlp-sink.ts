// A local OTLP/HTTP collector that reads each export and discards it: what the `rest+traced`
// target sends its spans to, so the run measures the gateway's cost of tracing (building, batching
// and exporting spans) and not a collector's. Runs in the orchestrator, on the load core.
import { createServer, type Server } from 'node:http';

export interface OtlpSink {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string;
  /** Exports received (a run with none did not trace). */
  readonly exports: number;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  const server: Server = createServer((request, response) => {
    request.on('data', () => undefined);
    request.on('end', () => {
      if (request.url === '/v1/traces') exports += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get exports() {
      return exports;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
