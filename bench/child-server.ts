// What the benchmark's child servers (mock upstream, floor proxy) share: no idle cut-offs while a
// benchmark runs, listening on --port (0: any) at 127.0.0.1 and printing `listening <port>` for the
// parent, and closing every connection on SIGTERM.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function serveForBenchmark(server: Server, close: () => void): void {
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;
  const portArgument = process.argv.indexOf('--port');
  const port = portArgument > -1 ? Number(process.argv[portArgument + 1]) : 0;
  server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(close);
  });
}
