// A TCP proxy in front of a server, for a test to hold one client's new connections back (as a
// slow network or a client still in its reconnect backoff would) while other clients reach the
// server directly. Held connections are accepted and wait; release() connects them through.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted while held, not yet passed through. */
  readonly heldCount: number;
  /** New connections wait (existing ones are untouched) until release(). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let holding = false;
  const held: Socket[] = [];
  const open = new Set<Socket>();
  const pipe = (client: Socket) => {
    if (client.destroyed) return;
    const upstream = createConnection({ port: targetPort, host: targetHost });
    open.add(upstream);
    client.pipe(upstream).pipe(client);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      open.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
  };
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (holding) held.push(client);
    else pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    get heldCount() {
      return held.filter((socket) => !socket.destroyed).length;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const client of held.splice(0)) pipe(client);
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
