// The peer: the open-source Portkey gateway, installed from npm into bench/.peer (gitignored, never
// committed) on first use. Per PERFORMANCE.md: @hono/node-server pinned to 1.13.5 with npm
// overrides (newer ones answer streams with 500, Portkey-AI/gateway#1389), and a preload that
// keeps it on 127.0.0.1. It is routed to the mock upstream per request with the
// `x-portkey-provider: openai` and `x-portkey-custom-host` headers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayCore, repositoryRoot, startService, type Service } from './services.ts';
import { freePort } from '../test/helpers/free-port.ts';

export const peerVersion = '1.15.2';
const honoNodeServerVersion = '1.13.5';
const peerDirectory = join(repositoryRoot, 'bench', '.peer');
const entry = join(peerDirectory, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

function installedVersion(packageName: string): string | null {
  const file = join(peerDirectory, 'node_modules', ...packageName.split('/'), 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : null;
}

/** Installs the pinned Portkey gateway into bench/.peer unless it is there already. */
export function installPeer(log: (line: string) => void): void {
  if (installedVersion('@portkey-ai/gateway') === peerVersion && installedVersion('@hono/node-server') === honoNodeServerVersion) return;
  log(`installing @portkey-ai/gateway@${peerVersion} into bench/.peer ...`);
  mkdirSync(peerDirectory, { recursive: true });
  writeFileSync(
    join(peerDirectory, 'package.json'),
    `${JSON.stringify(
      {
        name: 'modelgraph-bench-peer',
        private: true,
        description: 'Installed by bench/peer-portkey.ts; not committed.',
        dependencies: { '@portkey-ai/gateway': peerVersion },
        overrides: { '@hono/node-server': honoNodeServerVersion },
      },
      null,
      2,
    )}\n`,
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: peerDirectory, stdio: 'inherit' });
}

export async function startPeer(): Promise<Service> {
  const port = await freePort();
  return startService({
    name: 'portkey',
    command: [process.execPath, '--require', join(repositoryRoot, 'bench', 'peer-listen-on-loopback.cjs'), entry, `--port=${port}`, '--headless'],
    core: gatewayCore,
    cwd: peerDirectory,
    env: { NODE_ENV: 'production' },
    ready: { port, path: '/' },
  });
}

/** The headers that route a Portkey request to the mock upstream as an OpenAI provider. */
export function peerHeaders(upstreamPort: number): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `http://127.0.0.1:${upstreamPort}/v1`,
    authorization: 'Bearer x',
  };
}
