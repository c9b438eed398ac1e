// GraphiQL at /graphql for browsers, served from installed packages: graphql-yoga's built-in page
// loads its scripts from a CDN and shows only "Loading..." offline or behind a firewall. The page
// uses the self-contained browser builds of graphiql 3, React 18 and graphql-ws (no bundler, no
// build step), read from node_modules at the first request; they are resolved from this module, so
// the same code works from src/ (tsx) and from the esbuild bundle in dist/ (packages stay external).
// Queries and mutations go over HTTP; subscriptions over graphql-ws, with the Headers tab's JSON as
// connection parameters (where the WebSocket server reads the key).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const GRAPHIQL_ASSET_PATH = '/graphiql/';

/** Files under /graphiql/: the package each comes from and its path inside it. */
const PACKAGE_ASSETS: Record<string, { packageName: string; file: string }> = {
  'react.production.min.js': { packageName: 'react', file: 'umd/react.production.min.js' },
  'react-dom.production.min.js': { packageName: 'react-dom', file: 'umd/react-dom.production.min.js' },
  'graphql-ws.min.js': { packageName: 'graphql-ws', file: 'umd/graphql-ws.min.js' },
  'graphiql.min.js': { packageName: 'graphiql', file: 'graphiql.min.js' },
  'graphiql.min.css': { packageName: 'graphiql', file: 'graphiql.min.css' },
};

// The page's own script and style are files too, so the page runs under a CSP without 'unsafe-inline'.
const START_SCRIPT = `'use strict';
(function () {
  var endpoint = location.pathname;
  var wsUrl = new URL(endpoint, location.href);
  wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  // One lazy graphql-ws client per set of headers: a key typed into the Headers tab is used by
  // the next subscription, and an idle client closes its socket.
  var clients = new Map();
  function wsClientFor(headers) {
    var id = JSON.stringify(headers || {});
    var client = clients.get(id);
    if (!client) {
      client = graphqlWs.createClient({ url: wsUrl.href, connectionParams: headers || {} });
      clients.set(id, client);
    }
    return client;
  }
  function fetcher(params, options) {
    var headers = options && options.headers;
    var wsClient = { subscribe: function (payload, sink) { return wsClientFor(headers).subscribe(payload, sink); } };
    return GraphiQL.createFetcher({ url: endpoint, wsClient: wsClient })(params, options);
  }
  var defaultQuery = [
    '# modelgraph GraphiQL. Every operation except \`health\` needs',
    '# an API key: enter it in the Headers tab below as',
    '#   {"authorization": "Bearer mg-..."}',
    '# Subscriptions send the same headers over WebSocket.',
    '{',
    '  health {',
    '    status',
    '    version',
    '  }',
    '}',
    '',
  ].join('\\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: 'headers',
      // Keys typed into the Headers tab stay out of localStorage.
      shouldPersistHeaders: false,
    }),
  );
})();
`;
const PAGE_STYLE = 'html, body, #graphiql { height: 100%; margin: 0; }\n';

// The page loads nothing but these files and talks only to its own origin (HTTP and WebSocket).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  // graphiql's stylesheet embeds its fonts and icons as data: URLs.
  "font-src 'self' data:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  gzipped: Buffer;
  type: string;
}

interface Assets {
  page: Asset;
  files: Map<string, Asset>;
}

/** Serves the request, or returns undefined at once (no await on the GraphQL hot path) when it is not GraphiQL's. */
export type GraphiQLHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | undefined;

/** Answers browser GETs of `endpoint` with GraphiQL and GET /graphiql/* with its files. */
export function createGraphiQLHandler(endpoint = '/graphql'): GraphiQLHandler {
  let assets: Promise<Assets> | undefined;
  const load = () => (assets ??= loadAssets());
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const path = (request.url ?? '/').split('?')[0]!;
    // What graphql-yoga checks too: a browser navigating, not a GraphQL client.
    if (path === endpoint && request.headers.accept?.includes('text/html')) {
      return load().then(({ page }) =>
        writeAsset(request, response, page, { 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-cache', 'referrer-policy': 'no-referrer' }),
      );
    }
    if (!path.startsWith(GRAPHIQL_ASSET_PATH)) return undefined;
    return load().then(({ files }) => {
      const asset = files.get(path.slice(GRAPHIQL_ASSET_PATH.length));
      if (!asset) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      // The page names every file with its version (?v=), so a name never changes content.
      writeAsset(request, response, asset, { 'cache-control': 'public, max-age=31536000, immutable' });
    });
  };
}

function writeAsset(request: IncomingMessage, response: ServerResponse, asset: Asset, headers: Record<string, string>): void {
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzipped : asset.body;
  response.writeHead(200, {
    'content-type': asset.type,
    'content-length': body.byteLength,
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...headers,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

async function loadAssets(): Promise<Assets> {
  const require = createRequire(import.meta.url);
  const files = new Map<string, Asset>();
  const versions = new Map<string, string>();
  for (const [name, { packageName, file }] of Object.entries(PACKAGE_ASSETS)) {
    const manifestPath = require.resolve(`${packageName}/package.json`);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { version: string };
    versions.set(name, manifest.version);
    files.set(name, asset(await readFile(join(dirname(manifestPath), file)), name));
  }
  files.set('start.js', asset(Buffer.from(START_SCRIPT), 'start.js'));
  files.set('page.css', asset(Buffer.from(PAGE_STYLE), 'page.css'));
  versions.set('start.js', contentVersion(START_SCRIPT));
  versions.set('page.css', contentVersion(PAGE_STYLE));
  // Relative URLs: the page is /graphql, so they resolve under /graphiql/ even behind a path prefix.
  const url = (name: string) => `graphiql/${name}?v=${encodeURIComponent(versions.get(name)!)}`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>modelgraph GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${url('graphiql.min.css')}">
<link rel="stylesheet" href="${url('page.css')}">
</head>
<body>
<div id="graphiql">Loading GraphiQL...</div>
<script src="${url('react.production.min.js')}"></script>
<script src="${url('react-dom.production.min.js')}"></script>
<script src="${url('graphql-ws.min.js')}"></script>
<script src="${url('graphiql.min.js')}"></script>
<script src="${url('start.js')}"></script>
</body>
</html>
`;
  return { page: asset(Buffer.from(page), 'index.html'), files };
}

function asset(body: Buffer, name: string): Asset {
  const type = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/html; charset=utf-8';
  return { body, gzipped: gzipSync(body), type };
}

/** A fingerprint of the page's own files, for their ?v= (they change with modelgraph, not with a package). */
function contentVersion(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
