// The floor: the least a Node gateway can do. node:http server, request body buffered, forwarded
// with undici Pool.request over keep-alive connections, response piped back; it parses nothing.
// Usage: node --import tsx/loader bench/floor-proxy.ts --upstream http://127.0.0.1:N; prints `listening <port>`.
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { serveForBenchmark } from './child-server.ts';
import { Pool } from 'undici';

const upstreamArgument = process.argv.indexOf('--upstream');
if (upstreamArgument === -1) throw new Error('--upstream <origin> is required');
const upstream = process.argv[upstreamArgument + 1]!;

// No connection cap: a stream holds its connection for its whole length.
const pool = new Pool(upstream, { connections: null, pipelining: 1, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0 });

const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) if (!hopByHop.has(name)) out[name] = headers[name];
  return out;
}

const server = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    pool
      .request({
        path: request.url ?? '/',
        method: request.method as 'POST',
        headers: forwardable(request.headers) as Record<string, string>,
        body: Buffer.concat(parts),
      })
      .then(
        (upstreamResponse) => {
          const body = upstreamResponse.body;
          response.writeHead(upstreamResponse.statusCode, forwardable(upstreamResponse.headers));
          body.pipe(response);
          body.on('error', () => response.destroy());
          // A client that leaves early: destroying the body closes the upstream request too.
          // (No AbortSignal: aborting one builds a DOMException, which a floor should not pay for.)
          response.on('close', () => {
            if (!response.writableFinished) body.destroy();
          });
        },
        () => {
          if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
          response.end('{"error":{"message":"upstream failed"}}');
        },
      );
  });
});
serveForBenchmark(server, () => void pool.close().then(() => process.exit(0)));
