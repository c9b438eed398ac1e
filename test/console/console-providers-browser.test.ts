// The console's Providers page in headless Chromium, as an admin meets it: on a fresh install the
// playground says how to add a model; through the page a provider and a deployment are added, used,
// edited and deleted, each step checked through the API; a stored secret is never shown; live state
// shows a failing deployment cooling down; config-file deployments are read-only, with the reason.
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { buildConsole, checkedScreenshot, CHROMIUM, chromiumAvailable, launch, signIn } from './browser-harness.ts';

const STEP_TIMEOUT = 60_000;
const UPSTREAM_SECRET = 'sk-console-secret-NEVER-SHOWN-7f3a9c';
const HEADER_SECRET = 'org-secret-header-value-5d2e';
const SECRET_KEY = 'a'.repeat(64);

const DEPLOYMENTS = '{ deployments { id model provider upstreamModel source weight priority rpm inputPrice outputPrice } }';

describe.skipIf(!chromiumAvailable)(`the Providers page in headless Chromium (${CHROMIUM})`, () => {
  let distDir: string;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const started: Array<{ app: TestApp; database: Database }> = [];
  let fresh: TestApp;
  let configured: TestApp;
  let simulator: UpstreamSimulator;

  const shot = (name: string) => checkedScreenshot(page, name);
  const deploymentsOf = async (app: TestApp) => (await app.graphql(DEPLOYMENTS)).data.deployments as any[];
  /** Adds a deployment through the page's form; resolves with its row once the table shows it. */
  async function addDeployment(fields: { model: string; provider: string; upstreamModel: string; prices?: { input: string; output: string } }) {
    await page.getByText('Add a deployment').click();
    const form = page.getByRole('form', { name: 'New deployment' });
    await form.getByLabel('Public model name').fill(fields.model);
    await form.getByLabel('Provider').selectOption(fields.provider);
    await form.getByLabel('Upstream model').fill(fields.upstreamModel);
    if (fields.prices) {
      await form.getByLabel('Input $ / 1M tokens').fill(fields.prices.input);
      await form.getByLabel('Output $ / 1M tokens').fill(fields.prices.output);
    }
    await form.getByRole('button', { name: 'Add deployment' }).click();
    const row = page.locator(`tr[data-model="${fields.model}"][data-provider="${fields.provider}"]`);
    await row.waitFor();
    return row;
  }

  beforeAll(async () => {
    distDir = await buildConsole();
    simulator = await startOpenAISimulator();
    simulator.setScenario({ kind: 'error', status: 500, message: 'upstream is down' });
    const configs = [
      // A fresh install: no config file, no provider keys in the environment.
      testConfig({ console: { enabled: true, distDir }, secretKey: SECRET_KEY }),
      // A config file with the mock provider and one model; one failure cools a deployment down.
      testConfig({
        console: { enabled: true, distDir },
        secretKey: SECRET_KEY,
        providers: [{ id: 'mock', kind: 'mock' }],
        models: [{ name: 'declared-chat', provider: 'mock', model: 'mock-small' }],
        router: { defaults: { cooldown: { failures: 1, windowMs: 60_000, cooldownMs: 600_000 } }, groups: {} },
      }),
    ];
    for (const config of configs) {
      const database = await databaseCases[0]!.open();
      started.push({ app: await startTestApp(config, database), database });
    }
    [fresh, configured] = started.map((entry) => entry.app) as [TestApp, TestApp];
    ({ browser, page, pageErrors } = await launch());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const { app, database } of started) {
      await app.stop();
      await database.close();
    }
    await simulator?.close();
    if (distDir) await rm(distDir, { recursive: true, force: true });
  });

  it(
    'on a fresh install, the playground says how to add a model, with a link to the Providers page',
    async () => {
      const admin = await fresh.createKey({ name: 'first admin', scopes: ['ADMIN', 'INFERENCE', 'READ_USAGE'] });
      await signIn(page, fresh.url, admin.secret);
      const hint = page.getByTestId('no-models');
      await hint.waitFor();
      const text = (await hint.textContent()) ?? '';
      expect(text).toContain('No configured models yet');
      expect(text).toContain('modelgraph.yaml');
      expect(await hint.locator('pre').textContent()).toBe('providers:\n  - id: mock\n    kind: mock\nmodels:\n  - name: chat\n    provider: mock\n    model: mock-small');
      expect(text).toContain('OPENAI_API_KEY');
      expect(text).toContain('ANTHROPIC_API_KEY');
      await shot('10-fresh-playground');

      await hint.getByRole('link', { name: 'Providers page' }).click();
      await page.getByRole('heading', { name: 'Providers and deployments' }).waitFor();
      expect(page.url()).toMatch(/#\/providers$/);
      expect(await page.locator('table.providers').count()).toBe(0);
    },
    STEP_TIMEOUT,
  );

  it(
    'adds a provider and a deployment, serves it, edits and deletes it, each reflected in the API',
    async () => {
      await page.getByText('Add a provider').click();
      const newProvider = page.getByRole('form', { name: 'New provider' });
      await newProvider.getByLabel('Provider id').fill('mock');
      await newProvider.getByLabel('Kind').selectOption('mock');
      await newProvider.getByRole('button', { name: 'Add provider' }).click();
      const providerRow = page.locator('tr[data-provider-id="mock"]');
      await providerRow.and(page.locator('[data-configured="true"]')).waitFor();
      expect(await providerRow.locator('.credentials').textContent()).toBe('stored, no secret');

      const row = await addDeployment({ model: 'chat', provider: 'mock', upstreamModel: 'mock-small', prices: { input: '1', output: '2' } });
      expect(await row.getAttribute('data-source')).toBe('ADMIN');
      expect(await row.locator('.health').textContent()).toBe('healthy');
      const [created] = await deploymentsOf(fresh);
      expect(created).toMatchObject({ model: 'chat', provider: 'mock', upstreamModel: 'mock-small', source: 'ADMIN', weight: 1, priority: 0, inputPrice: '1', outputPrice: '2' });

      // The playground offers it now, and it answers.
      await page.getByRole('link', { name: 'Playground' }).click();
      const chat = page.getByRole('checkbox', { name: /^chat/ });
      await chat.waitFor();
      for (const box of await page.getByRole('checkbox', { name: /mock\// }).all()) await box.uncheck();
      await chat.check();
      await page.getByRole('button', { name: 'Run' }).click();
      await page.locator('article[data-model="chat"][data-status="completed"]').waitFor({ timeout: 20_000 });

      // Its live state counts the request (the page refreshes itself every 5 s).
      await page.getByRole('link', { name: 'Providers' }).click();
      await expect.poll(() => page.locator('tr[data-model="chat"] .stats').textContent(), { timeout: 15_000 }).toContain('1 req/min');

      await page.getByRole('button', { name: 'Edit chat on mock' }).click();
      const edit = page.getByRole('form', { name: 'Edit deployment' });
      expect(await edit.getByLabel('Upstream model').inputValue()).toBe('mock-small');
      expect(await edit.getByLabel('Input $ / 1M tokens').inputValue()).toBe('1');
      await edit.getByLabel('Upstream model').fill('mock-large');
      await edit.getByLabel('Weight').fill('3');
      await edit.getByLabel('Requests/min').fill('100');
      await shot('11-deployment-edit');
      await edit.getByRole('button', { name: 'Save deployment' }).click();
      await page.getByTestId('edit-deployment').waitFor({ state: 'detached' });
      await expect.poll(() => row.textContent()).toContain('mock-large');
      const [edited] = await deploymentsOf(fresh);
      expect(edited).toMatchObject({ id: created.id, upstreamModel: 'mock-large', weight: 3, rpm: 100, inputPrice: '1', outputPrice: '2' });
      await shot('12-providers-page');

      await page.getByRole('button', { name: 'Delete chat on mock' }).click();
      await row.waitFor({ state: 'detached' });
      expect(await deploymentsOf(fresh)).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    'shows config-file deployments read-only with the reason, and never shows a stored secret',
    async () => {
      const admin = await configured.createKey({ name: 'ops admin', scopes: ['ADMIN'] });
      await page.evaluate(() => sessionStorage.clear());
      await signIn(page, configured.url, admin.secret);
      await page.goto(`${configured.url}/console/#/providers`);
      const declared = page.locator('tr[data-model="declared-chat"]');
      await declared.waitFor();
      expect(await declared.getAttribute('data-source')).toBe('CONFIG');
      expect(await declared.getByRole('button').count()).toBe(0);
      expect(await declared.locator('.read-only').getAttribute('title')).toContain('DECLARED_IN_CONFIG');
      const note = (await page.locator('.read-only-note[data-source="CONFIG"]').textContent()) ?? '';
      expect(note).toContain("Declared in this instance's config file: change it there and restart");
      // What the note says is what the API does.
      const refused = await configured.graphql('mutation($id: ID!) { deleteDeployment(id: $id) { __typename ... on Error { code } } }', { id: await declared.getAttribute('data-deployment-id') });
      expect(refused.data.deleteDeployment.code).toBe('DECLARED_IN_CONFIG');

      // A provider with a secret key and a secret header: the page holds neither once saved.
      await page.getByText('Add a provider').click();
      const form = page.getByRole('form', { name: 'New provider' });
      await form.getByLabel('Provider id').fill('acme');
      await form.getByLabel('Kind').selectOption('openai');
      await form.getByLabel('Base URL').fill(simulator.baseUrl);
      await form.getByLabel('API key (write-only)').fill(UPSTREAM_SECRET);
      await form.getByLabel('Extra headers (JSON, write-only)').fill(JSON.stringify({ 'OpenAI-Organization': HEADER_SECRET }));
      expect(await form.getByLabel('API key (write-only)').getAttribute('type')).toBe('password');
      await form.getByRole('button', { name: 'Add provider' }).click();
      const acme = page.locator('tr[data-provider-id="acme"]');
      await acme.waitFor();
      expect(await acme.locator('.credentials').textContent()).toBe('stored, secret set');
      expect(await form.getByLabel('API key (write-only)').inputValue()).toBe('');
      await acme.getByRole('button', { name: 'Set credentials of acme' }).click();
      const editing = page.getByRole('form', { name: 'Credentials of acme' });
      expect(await editing.getByLabel('API key (write-only)').inputValue()).toBe('');
      expect(await editing.getByLabel('API key (write-only)').getAttribute('placeholder')).toBe('A secret is stored; leave empty to keep it');
      const everything = async () => `${await page.content()}${JSON.stringify(await page.evaluate(() => ({ ...sessionStorage, ...localStorage })))}`;
      expect(await everything()).not.toContain(UPSTREAM_SECRET);
      expect(await everything()).not.toContain(HEADER_SECRET);
      await editing.getByRole('button', { name: 'Cancel' }).click();

      // A deployment on it fails upstream: its row shows the cooldown, live. (A deployment alone in
      // its group is never cooled, so the group gets a second one, tried after it.)
      const flaky = await addDeployment({ model: 'flaky', provider: 'acme', upstreamModel: 'gpt-4o-mini' });
      expect(await flaky.locator('.health').textContent()).toBe('healthy');
      const backup = await configured.graphql('mutation { upsertDeployment(input: { model: "flaky", provider: "mock", upstreamModel: "mock-small", priority: 1 }) { __typename } }');
      expect(backup.data.upsertDeployment.__typename).toBe('Deployment');
      const answered = await configured.graphql('mutation { createChatCompletion(input: { model: "flaky", messages: [{ role: USER, content: "hi" }] }) { __typename ... on ChatCompletion { provider } } }');
      expect(answered.data.createChatCompletion).toEqual({ __typename: 'ChatCompletion', provider: 'mock' });
      expect(simulator.requests.at(-1)!.headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      expect(simulator.requests.at(-1)!.headers['openai-organization']).toBe(HEADER_SECRET);
      await expect.poll(() => flaky.locator('.health').getAttribute('data-health'), { timeout: 15_000 }).toBe('bad');
      expect(await flaky.locator('.health').textContent()).toMatch(/^cooling down until \d\d:\d\d:\d\d$/);
      expect(await page.locator('tr[data-model="flaky"][data-provider="mock"] .health').textContent()).toBe('healthy');
      await shot('13-providers-config-and-cooldown');
      expect(await everything()).not.toContain(UPSTREAM_SECRET);

      // Removing the stored credentials takes its deployment out of routing: the page asks first.
      const dialog = page.waitForEvent('dialog');
      const removed = acme.getByRole('button', { name: 'Remove stored credentials of acme' }).click();
      const confirmation = await dialog;
      expect(confirmation.message()).toContain('acme serves 1 deployment: without its credentials they stop routing');
      await confirmation.accept();
      await removed;
      await acme.waitFor({ state: 'detached' });
      await flaky.waitFor({ state: 'detached' });
      expect((await deploymentsOf(configured)).map((deployment) => deployment.provider).sort()).toEqual(['mock', 'mock']);
      expect((await configured.graphql('{ providerCredentials { providerId } }')).data.providerCredentials).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT,
  );
});
