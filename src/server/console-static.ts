// Serves the web console's built files (console/dist) under /console. The files are read once at
// start: the build is small, and nothing on disk is looked up by a request's path.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import type { Logger } from '../core/ports.ts';

export const CONSOLE_PATH = '/console';
/** The console's operations as persisted documents, written by its build (see console/vite.config.ts). */
export const CONSOLE_OPERATIONS_MANIFEST = 'persisted-operations.json';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

// The console talks to its own origin only (GraphQL over fetch and WebSocket) and loads nothing else.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface StaticFile {
  body: Buffer;
  type: string;
  /** Vite's content-hashed assets never change under their name. */
  immutable: boolean;
}

export interface ConsoleHandlerOptions {
  distDir: string;
  logger: Logger;
}

export type ConsoleHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export async function createConsoleHandler(options: ConsoleHandlerOptions): Promise<ConsoleHandler> {
  const files = existsSync(join(options.distDir, 'index.html')) ? await readTree(options.distDir) : null;
  if (!files) options.logger.warn(`Web console not built (${options.distDir} is missing): run \`npm run console:build\`; /console answers 503 until then`);

  return async (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed');
      return true;
    }
    if (path === CONSOLE_PATH) {
      response.writeHead(308, { location: `${CONSOLE_PATH}/` }).end();
      return true;
    }
    if (!files) {
      writeFile(request, response, 503, { body: Buffer.from(NOT_BUILT_PAGE), type: CONTENT_TYPES['.html']!, immutable: false });
      return true;
    }
    const name = path.slice(CONSOLE_PATH.length + 1);
    const file = files.get(name === '' ? 'index.html' : name);
    if (file) {
      writeFile(request, response, 200, file);
    } else if (extname(name) === '') {
      // A client-side route: the app decides what to show.
      writeFile(request, response, 200, files.get('index.html')!);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    }
    return true;
  };
}

function writeFile(request: IncomingMessage, response: ServerResponse, status: number, file: StaticFile): void {
  response.writeHead(status, {
    'content-type': file.type,
    'content-length': file.body.length,
    'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(request.method === 'HEAD' ? undefined : file.body);
}

async function readTree(root: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    const name = relative(root, absolute).split(sep).join('/');
    files.set(name, {
      body: await readFile(absolute),
      type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: name.startsWith('assets/'),
    });
  }
  return files;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>modelgraph console not built</title></head>
<body>
<h1>The web console is not built</h1>
<p>Its files are built from <code>console/</code> when the project is installed (<code>npm install</code>).
Build them now with <code>npm run console:build</code> and restart the server.</p>
<p>The GraphQL API at <a href="/graphql">/graphql</a> works without it.</p>
</body></html>
`;
