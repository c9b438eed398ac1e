// A real HTTP upstream that answers every request with the recording set last: its status, its
// content type and its body, one write per recorded chunk with a pause between writes so the
// gateway reads them as separate chunks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Recording } from './recordings.ts';

export interface ReplayServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  play(recording: Recording): void;
  /** Requests answered since the last play(). */
  requests: Array<{ method: string; url: string; body: string }>;
  close(): Promise<void>;
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

export async function startReplayServer(): Promise<ReplayServer> {
  let current: Recording | null = null;
  const requests: ReplayServer['requests'] = [];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const body: Buffer[] = [];
    for await (const piece of request) body.push(piece as Buffer);
    requests.push({ method: request.method ?? '', url: request.url ?? '', body: Buffer.concat(body).toString('utf8') });
    if (current === null) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('no recording set');
      return;
    }
    response.writeHead(current.status, { 'content-type': current.contentType, 'x-amzn-requestid': 'replayed-request' });
    for (const chunk of current.chunks) {
      response.write(chunk);
      await pause();
    }
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    play(recording) {
      current = recording;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
