// The web console in headless Chromium against a real app with the mock provider: sign in,
// compare two models side by side, create and revoke a key, watch the live usage feed, read the
// spend charts (readable labels, unknown names grouped), keys' spend and budget used, create a
// team. Screenshots of each step go to test-artifacts/console/ and are checked (browser-harness.ts).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as consoleOperations from '../../console/src/operations.ts';
import { sha256Hex } from '../../src/server/persisted-operations.ts';
import { usageFlushed } from '../helpers/metering.ts';
import { testConfig } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';
import { buildConsole, checkedScreenshot, CHROMIUM, chromiumAvailable, describeInChromium, launch, MIN_FONT_PX, renderedTextSizes } from './browser-harness.ts';

const STEP_TIMEOUT = 60_000;

if (!chromiumAvailable) console.warn(`Skipping the web console browser test: ${CHROMIUM} is absent (apt-get install -y chromium).`);
describeInChromium('web console in headless Chromium', { timeout: STEP_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  let distDir: string;
  let adminSecret: string;
  let pageErrors: string[];

  const shot = (name: string) => checkedScreenshot(page, name);
  const open = (route: string) => page.goto(`${app.url}/console/#/${route}`);
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  /** Opens `route`, unfolds its create form (`summary`), fills the labelled fields in order, and submits. */
  const submitCreateForm = async (route: string, summary: string, fields: Record<string, string>, submit: string) => {
    await open(route);
    await page.getByText(summary).click();
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label).fill(value);
    await page.getByRole('button', { name: submit }).click();
  };

  beforeAll(async () => {
    distDir = await buildConsole();
  }, 120_000);
  afterAll(async () => {
    if (distDir) await rm(distDir, { recursive: true, force: true });
  });
  const { app } = useTestApp({
    config: () =>
      testConfig({
        providers: [{ id: 'mock', kind: 'mock', mock: { tokensPerSecond: 50 } }],
        console: { enabled: true, distDir },
      }),
  });
  beforeAll(async () => {
    adminSecret = (await app.createKey({ name: 'console admin', scopes: ['ADMIN', 'INFERENCE', 'READ_USAGE'] })).secret;
    ({ browser, page, pageErrors } = await launch());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('lists every operation the console sends in its build, for allowlist mode', async () => {
    const manifest = JSON.parse(await readFile(join(distDir, 'persisted-operations.json'), 'utf8')) as Record<string, string>;
    const documents = Object.values(consoleOperations);
    expect(Object.keys(manifest).sort()).toEqual(documents.map(sha256Hex).sort());
  });

  it('signs in with a key, which stays in sessionStorage', async () => {
    await open('playground');
    await page.getByLabel('API key').fill('mg-not-a-real-key-000000000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('UNAUTHENTICATED');
    await shot('01-sign-in-refused');

    await page.getByLabel('API key').fill(adminSecret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Playground' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('modelgraph.apiKey'))).toBe(adminSecret);
    await page.reload();
    await page.getByRole('link', { name: 'Keys' }).waitFor();
    await shot('02-signed-in');
  });

  it('streams two models side by side to completion, each with usage and cost', async () => {
    await open('playground');
    const small = page.getByRole('checkbox', { name: /mock\/mock-small/ });
    const large = page.getByRole('checkbox', { name: /mock\/mock-large/ });
    await small.waitFor();
    if (!(await small.isChecked())) await small.check();
    if (!(await large.isChecked())) await large.check();
    await page.getByLabel('Prompt', { exact: true }).fill('Compare the two of you, please');
    await page.getByRole('button', { name: 'Compare 2 models' }).click();
    // Mid-stream: both columns exist and text is arriving.
    await page.locator('article[data-status="streaming"] .text').first().waitFor();
    await shot('03-compare-streaming');
    for (const model of ['mock/mock-small', 'mock/mock-large']) {
      const answer = page.locator(`article[data-model="${model}"]`);
      await answer.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 20_000 });
      expect(await answer.locator('.text').textContent()).toContain('Compare the two of you, please');
      expect(await answer.locator('.usage').textContent()).toMatch(/\d+ in · \d+ out/);
      const cost = (await answer.locator('.cost').textContent()) ?? '';
      expect(cost).toMatch(/^\$0\.\d+$/);
      expect(Number(cost.slice(1))).toBeGreaterThan(0);
    }
    await shot('04-compare-completed');
  });

  it('creates a key with a rate limit, shows its secret once, and revokes it', async () => {
    await submitCreateForm('keys', 'Create a key', { 'Key name': 'browser key', 'Requests/min': '30' }, 'Create key');
    const secret = (await page.getByTestId('new-secret').textContent()) ?? '';
    expect(secret).toMatch(/^mg-/);
    const row = page.locator('tr[data-key-name="browser key"]');
    await row.and(page.locator('[data-status="ACTIVE"]')).waitFor();
    expect(await row.textContent()).toContain('30 rpm');
    await shot('05-key-created');
    expect((await app.graphql('{ me { name } }', {}, bearer(secret))).data.me.name).toBe('browser key');

    await page.getByRole('button', { name: 'Revoke browser key' }).click();
    await row.and(page.locator('[data-status="REVOKED"]')).waitFor();
    await shot('06-key-revoked');
    expect((await app.graphql('{ me { name } }', {}, bearer(secret))).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('shows a new usage event arriving in the live feed', async () => {
    await open('live');
    await page.locator('.state.live').waitFor();
    const response = await app.graphql(
      'mutation { createChatCompletion(input: { model: "mock/mock-large", messages: [{ role: USER, content: "feed me" }], maxOutputTokens: 5 }) { ... on ChatCompletion { id } } }',
      {},
      bearer(adminSecret),
    );
    const id = response.data.createChatCompletion.id as string;
    const row = page.locator(`tr[data-generation-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('mock/mock-large');
    await shot('07-live-feed');
  });

  it('charts spend by day, key and model with readable labels, grouping names that never existed as "unknown"', async () => {
    // A typo and a made-up name are recorded under what was requested; `openai/gpt-4o` is a
    // catalog model (its provider is not configured here), so it is real although nothing served it.
    for (const model of ['gpt-4o-typo', 'no-such-model', 'openai/gpt-4o']) {
      const response = await app.graphql(
        'mutation($model: String!) { createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) { __typename ... on GatewayError { code } } }',
        { model },
        bearer(adminSecret),
      );
      expect(response.data.createChatCompletion.__typename).toBe('GatewayError');
    }
    await usageFlushed(app);
    await open('usage');
    await page.getByTestId('total-spend').waitFor();
    expect(Number(((await page.getByTestId('total-spend').textContent()) ?? '').slice(1))).toBeGreaterThan(0);
    const byModel = page.getByRole('list', { name: 'Spend by model' });
    await byModel.locator('li[data-label="unknown"]').waitFor();
    const labels = await byModel.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-label')));
    expect(labels).toEqual(expect.arrayContaining(['mock/mock-large', 'mock/mock-small', 'openai/gpt-4o', 'unknown']));
    expect(labels).not.toContain('gpt-4o-typo');
    expect(labels).not.toContain('no-such-model');
    expect(await byModel.locator('li[data-label="unknown"] .caption').textContent()).toBe('$0.00 · 2 req');
    const note = (await page.locator('.chart-note').textContent()) ?? '';
    expect(note).toContain('gpt-4o-typo');
    expect(note).toContain('no-such-model');
    expect(await page.getByRole('list', { name: 'Spend by key' }).textContent()).toContain('console admin');
    expect(await page.getByRole('img', { name: 'Spend by day (UTC)' }).locator('rect.bar').count()).toBe(30);

    // Every chart label is drawn at 11 px or more at 1x on a 1280-pixel page.
    const chartText = await renderedTextSizes(page, '.chart');
    expect(chartText.map((size) => size.text)).toEqual(expect.arrayContaining(['mock/mock-large', 'console admin', 'unknown']));
    expect(chartText.filter((size) => size.px < MIN_FONT_PX)).toEqual([]);
    expect(await page.locator('.axis-labels span').count()).toBeGreaterThanOrEqual(4);
    // Axis labels do not run into each other.
    const boxes = await page.locator('.axis-labels span').evaluateAll((spans) => spans.map((span) => span.getBoundingClientRect().toJSON() as DOMRect));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.left).toBeGreaterThan(boxes[i - 1]!.right);
    await shot('08-usage');
  });

  it("shows each key's spend and how much of its budget is used", async () => {
    const key = await app.createKey({ name: 'budgeted key', limits: { maxBudget: '1', budgetPeriod: 'DAILY' } });
    const answer = await app.graphql(
      'mutation { createChatCompletion(input: { model: "mock/mock-large", messages: [{ role: USER, content: "spend a little" }] }) { ... on ChatCompletion { cost } } }',
      {},
      bearer(key.secret),
    );
    const cost = answer.data.createChatCompletion.cost as string;
    expect(Number(cost)).toBeGreaterThan(0);
    await usageFlushed(app);
    const { data } = await app.graphql('query($k: ID!) { apiKey(id: $k) { budget { spent limit } } }', { k: key.id });
    expect(data.apiKey.budget).toEqual({ spent: cost, limit: '1' });

    await open('keys');
    const row = page.locator('tr[data-key-name="budgeted key"]');
    await row.waitFor();
    const headers = await page.locator('table.list thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['Spend (all time)', 'Budget used']));
    // The API's micro-USD amount, shown with at least cents.
    const shown = `$${cost.split('.')[0]}.${(cost.split('.')[1] ?? '').padEnd(2, '0')}`;
    expect(await row.locator('[data-column="spend"]').textContent()).toBe(`${shown} · 1 req`);
    const used = (await row.locator('[data-column="budget-used"]').textContent()) ?? '';
    expect(used).toContain(`${shown} of $1.00`);
    expect(used).toMatch(/resets \d{4}-\d{2}-\d{2}/);
    expect(await row.getByRole('meter', { name: 'Budget used' }).getAttribute('aria-valuenow')).toBe(String(Math.floor(Number(cost) * 1000) / 10));
    const unbudgeted = page.locator('tr[data-key-name="console admin"]');
    expect(await unbudgeted.locator('[data-column="budget-used"]').textContent()).toBe('—');
    expect(Number(((await unbudgeted.locator('[data-column="spend"]').textContent()) ?? '').slice(1).split(' ')[0])).toBeGreaterThan(0);
    await shot('08b-key-spend');
  });

  it('creates a team with limits', async () => {
    await submitCreateForm('teams', 'Create a team', { 'Team name': 'browser team', 'Budget (USD)': '25' }, 'Create team');
    const row = page.locator('tr[data-team-name="browser team"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('$25 monthly');
    await shot('09-teams');
    expect(pageErrors).toEqual([]);
  });
});
