// GraphiQL without a CDN, checked without a browser: the page and every file it names come from
// this server, from the source tree (tsx) and from the built dist/ that `npm start` runs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/spawn-server.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

const browserGet = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...headers } });

/** Every URL the page loads: script src, stylesheet href. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((match) => match[1]!).filter((url) => !url.startsWith('data:'));
}

/** The page, each file it names, and the files' bodies as a browser would get them. */
async function fetchGraphiQL(base: string) {
  const page = await browserGet(`${base}/graphql`);
  const html = await page.text();
  const files = await Promise.all(
    referencedUrls(html).map(async (reference) => {
      const response = await fetch(new URL(reference, `${base}/graphql`));
      return { reference, response, body: await response.text() };
    }),
  );
  return { page, html, files };
}

describe('GraphiQL served from installed packages', () => {
  const { app } = useTestApp();

  it('serves a page that references no external URL, under a CSP that allows only its own origin', async () => {
    const { page, html, files } = await fetchGraphiQL(app.url);
    expect(page.status).toBe(200);
    // No absolute URL anywhere in the page (scripts, styles, icons, links, inline text).
    expect(html).not.toMatch(/\b(?:https?:|wss?:)?\/\/[a-z0-9]/i);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('<title>modelgraph GraphiQL</title>');
    expect(html).not.toMatch(/<script>|<style>|\sstyle=/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(files.map((file) => file.reference.split('?')[0])).toEqual([
      'graphiql/graphiql.min.css',
      'graphiql/page.css',
      'graphiql/react.production.min.js',
      'graphiql/react-dom.production.min.js',
      'graphiql/graphql-ws.min.js',
      'graphiql/graphiql.min.js',
      'graphiql/start.js',
    ]);
    for (const file of files) {
      expect(file.response.status, file.reference).toBe(200);
      expect(file.response.headers.get('content-type'), file.reference).toMatch(file.reference.includes('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(file.response.headers.get('cache-control'), file.reference).toContain('immutable');
      // The stylesheets load nothing from elsewhere (graphiql's fonts are data: URLs).
      if (file.reference.includes('.css')) expect(file.body, file.reference).not.toMatch(/url\(\s*['"]?(?:https?:)?\/\//);
    }
    expect(files.find((file) => file.reference.startsWith('graphiql/graphiql.min.js'))!.body.length).toBeGreaterThan(500_000);
  });

  it('compresses the files for clients that accept gzip', async () => {
    const { html } = await fetchGraphiQL(app.url);
    const script = referencedUrls(html).find((reference) => reference.startsWith('graphiql/graphiql.min.js'))!;
    const plain = Buffer.from(await (await fetch(`${app.url}/${script}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
    const { request } = await import('node:http');
    const gzipped = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(`${app.url}/${script}`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(gzipped.encoding).toBe('gzip');
    expect(gzipped.body.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(gzipped.body).equals(plain)).toBe(true);
  });

  it('leaves GraphQL clients alone: JSON GETs and POSTs still reach the API, unknown files 404', async () => {
    const get = await fetch(`${app.graphqlUrl}?query=${encodeURIComponent('{ health { status } }')}`, { headers: { accept: 'application/json' } });
    expect(await get.json()).toEqual({ data: { health: { status: 'OK' } } });
    const post = await fetch(app.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/html, application/json' }, body: '{"query":"{ health { status } }"}' });
    expect(await post.json()).toEqual({ data: { health: { status: 'OK' } } });
    expect((await fetch(`${app.url}/graphiql/react.development.js`)).status).toBe(404);
  });

  it('finds the package files from the built dist/ as well', async () => {
    const server = spawnServer({ cwd: mkdtempSync(join(tmpdir(), 'mg-graphiql-')), env: { MODELGRAPH_ADMIN_KEY: 'mg-graphiql-test-admin-key-0123456789abcdef' } });
    try {
      const base = await server.ready;
      const { page, files } = await fetchGraphiQL(base);
      expect(page.status).toBe(200);
      expect(files.map((file) => `${file.reference.split('?')[0]} ${file.response.status}`)).toEqual(files.map((file) => `${file.reference.split('?')[0]} 200`));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);
});
