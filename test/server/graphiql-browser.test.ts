// GraphiQL in headless Chromium with no network but 127.0.0.1: the editor renders, a query runs
// over HTTP, and a subscription runs over WebSocket with the key from the Headers tab. Any request
// to another host fails the test, whether or not the page would have worked without it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, describeInChromium } from '../console/browser-harness.ts';
import { TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

const GRAPHIQL_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  // No name resolves: the network is gone but for the loopback address the app listens on.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
const ARTIFACTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-artifacts', 'graphiql');
const STEP_TIMEOUT = 90_000;

/** The text of the CodeMirror editor inside `selector`. */
const editorText = (page: Page, selector: string) =>
  page.evaluate((css) => (document.querySelector(`${css} .CodeMirror`) as any)?.CodeMirror.getValue() as string | undefined, selector);
const setEditorText = (page: Page, selector: string, text: string) =>
  page.evaluate(([css, value]) => (document.querySelector(`${css} .CodeMirror`) as any).CodeMirror.setValue(value), [selector, text] as const);

const QUERY_EDITOR = '.graphiql-query-editor';

/** Replaces the query and waits until GraphiQL has parsed it (after a 100 ms debounce; it then saves it). */
async function setQuery(page: Page, text: string) {
  await setEditorText(page, QUERY_EDITOR, text);
  await expect.poll(() => page.evaluate(() => localStorage.getItem('graphiql:query'))).toBe(text);
}
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
const RESULT = '.result-window';

describeInChromium('GraphiQL offline in headless Chromium', { timeout: STEP_TIMEOUT }, () => {
  const { app } = useTestApp();
  let browser: Browser;
  let page: Page;
  const external: string[] = [];
  const pageErrors: string[] = [];
  const sockets: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const origin = new URL(app.url);
    const local = (url: string) => {
      const parsed = new URL(url);
      return parsed.hostname === origin.hostname && parsed.port === origin.port;
    };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: GRAPHIQL_CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (local(url) || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort('internetdisconnected');
    });
    await page.routeWebSocket(/.*/, (socket) => {
      if (local(socket.url())) return socket.connectToServer();
      external.push(socket.url());
      return socket.close();
    });
    page.on('websocket', (socket) => sockets.push(socket.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the editor and runs the open health query without a key', async () => {
    const response = await page.goto(app.graphqlUrl);
    expect(response?.status()).toBe(200);
    // Every script and stylesheet has loaded (or failed) by the load event.
    await page.waitForLoadState('load');
    expect(external).toEqual([]);
    await page.locator(`${QUERY_EDITOR} .CodeMirror`).waitFor({ timeout: 30_000 });
    expect(await editorText(page, QUERY_EDITOR)).toContain('health {');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => editorText(page, RESULT), { timeout: 20_000 }).toContain('"status": "OK"');
    // The schema came through introspection: the docs explorer lists the root types.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 20_000 }).toContain('Query');
    await page.screenshot({ path: join(ARTIFACTS, '01-health.png') });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('runs a subscription over WebSocket with the key from the Headers tab', async () => {
    await setEditorText(page, HEADERS_EDITOR, JSON.stringify({ authorization: `Bearer ${TEST_ADMIN_KEY}` }));
    await setQuery(page, 'subscription Ticks {\n  time(intervalMs: 20, count: 3)\n}\n');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => editorText(page, RESULT), { timeout: 20_000 }).toMatch(/"time": "\d{4}-\d\d-\d\dT/);
    expect(sockets).toEqual([app.wsUrl]);
    // An admin-only query over HTTP with the same headers.
    await setQuery(page, '{ apiKeys(first: 1) { edges { node { id } } } }');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => editorText(page, RESULT), { timeout: 20_000 }).toContain('"apiKeys"');
    expect(await editorText(page, RESULT)).not.toContain('"errors"');
    await page.screenshot({ path: join(ARTIFACTS, '02-subscription.png') });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
