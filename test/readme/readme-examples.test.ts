// The README's examples are executable: every ```graphql block (and every gql`...` document in
// the client snippets) must parse, validate against schema.graphql and give every result union an
// error branch; every ```graphql operation runs against an app started with the mock
// configuration that the README's "Trying it without provider keys" section shows, with no
// GraphQL errors and no typed error results. Placeholders written as "<team id>" or
// "<id of a completion>" are filled from the results of the examples before them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isAbstractType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { wsClient } from '../helpers/graphql-streams.ts';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const SCHEMA: GraphQLSchema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

interface Block { lang: string; line: number; text: string }

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push({ lang: open[1]!, line: start + 1, text: body.join('\n') });
  }
  return blocks;
}

const BLOCKS = fencedBlocks(README);
const GRAPHQL = BLOCKS.filter((block) => block.lang === 'graphql');
/** gql`...` documents inside the client snippets: validated only (they need the app's variables). */
const CLIENT_DOCUMENTS = BLOCKS.filter((block) => block.lang === 'ts').flatMap((block) =>
  [...block.text.matchAll(/gql`([^`]*)`/g)].map((match) => ({ line: block.line, text: match[1]! })),
);

/** The YAML of the section "Trying it without provider keys": the config the examples run against. */
function mockConfigYaml(): string {
  const section = README.split(/^## /m).find((part) => part.startsWith('Trying it without provider keys'));
  const yaml = section && /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!yaml) throw new Error('README: no yaml block under "Trying it without provider keys"');
  return yaml;
}

/** Every field returning a union or interface must select an error type (an Error or a *Failed event). */
function missingErrorBranches(document: DocumentNode): string[] {
  const problems: string[] = [];
  const typeInfo = new TypeInfo(SCHEMA);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const type = typeInfo.getType();
        const named = type && getNamedType(type);
        if (!named || !isAbstractType(named) || !node.selectionSet) return;
        const conditions = node.selectionSet.selections.flatMap((selection) =>
          selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition ? [selection.typeCondition.name.value] : [],
        );
        if (!conditions.some((name) => /Error$|Failed$/.test(name))) problems.push(`${node.name.value} has no error branch (... on Error { code message })`);
      },
    }),
  );
  return problems;
}

function checkDocument(text: string): DocumentNode {
  const document = parse(text);
  const errors = validate(SCHEMA, document).map((error) => error.message);
  expect([...errors, ...missingErrorBranches(document)]).toEqual([]);
  return document;
}

/** Typed failures anywhere in a result: objects carrying a `code` (GatewayError, ChatCompletionFailed). */
function typedErrors(value: unknown, path = 'data'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => typedErrors(item, `${path}[${index}]`));
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.code === 'string' ? [`${path}: ${record.code} ${String(record.message ?? '')}`] : [];
  return [...own, ...Object.entries(record).flatMap(([key, item]) => typedErrors(item, `${path}.${key}`))];
}

/** Ids later examples refer to by placeholder, collected from earlier results. */
const found: Record<string, string> = {};
function collectIds(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(collectIds);
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, any>;
  if (record.__typename === 'ChatCompletion' || ('output' in record && typeof record.id === 'string')) found['<id of a completion>'] ??= record.id;
  for (const [key, item] of Object.entries(record)) {
    if (key === 'createTeam' && typeof item?.id === 'string') found['<team id>'] = item.id;
    collectIds(item);
  }
}
/** Fills the placeholders known so far; the operation about to run must have none left. */
function fillPlaceholders(text: string, operation: OperationDefinitionNode): string {
  const own = text.slice(operation.loc!.start, operation.loc!.end);
  const missing = [...own.matchAll(/"(<[^">]+>)"/g)].map((match) => match[1]!).filter((name) => !(name in found));
  if (missing.length) throw new Error(`README placeholders without a value from an earlier example: ${missing.join(', ')}`);
  return text.replace(/"(<[^">]+>)"/g, (whole, name: string) => (name in found ? JSON.stringify(found[name]) : whole));
}

/** Subscriptions that never complete by themselves: the test waits for one event, caused by a completion. */
const LIVE_SUBSCRIPTIONS = new Set(['usageEvents']);

describe('README examples', () => {
  it('has GraphQL examples and a mock configuration to run them against', () => {
    expect(GRAPHQL.length).toBeGreaterThan(5);
    expect(mockConfigYaml()).toContain('kind: mock');
    // curl examples would have to run here too; there are none to run today.
    expect(BLOCKS.filter((block) => /(^|\s)curl\s/m.test(block.text)).map((block) => block.line)).toEqual([]);
  });

  describe.each(CLIENT_DOCUMENTS.map((document) => ({ ...document, name: `client document near README line ${document.line}` })))('$name', (example) => {
    it('validates against schema.graphql with error branches', () => {
      checkDocument(example.text);
    });
  });

  describe('run against the README mock configuration', () => {
    let database: Database;
    let app: TestApp;
    let configDir: string;

    beforeAll(async () => {
      configDir = mkdtempSync(join(tmpdir(), 'mg-readme-'));
      writeFileSync(join(configDir, 'modelgraph.yaml'), mockConfigYaml());
      const loaded = loadConfig({ env: {}, cwd: configDir });
      database = await databaseCases[0]!.open();
      app = await startTestApp(
        { ...loaded, adminKey: TEST_ADMIN_KEY, database: { ...loaded.database, dataDir: 'memory://' }, server: { ...loaded.server, port: 0 } },
        database,
      );
    });
    afterAll(async () => {
      await app?.stop();
      await database?.close();
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    });

    async function post(query: string, operationName?: string): Promise<any> {
      const response = await fetch(app.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify({ query, operationName }),
      });
      return response.json();
    }

    async function subscribe(query: string, operationName: string | undefined, live: boolean): Promise<any[]> {
      const client = wsClient(app.wsUrl);
      const values: any[] = [];
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('subscription did not finish within 20 s')), 20_000);
          const stop = client.subscribe(
            { query, ...(operationName ? { operationName } : {}) },
            {
              next: (message) => {
                if (message.errors) return reject(new Error(JSON.stringify(message.errors)));
                values.push(message.data);
                if (live) { clearTimeout(timer); stop(); resolve(); }
              },
              error: (error) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(JSON.stringify(error))); },
              complete: () => { clearTimeout(timer); resolve(); },
            },
          );
          // A live subscription gets its event from a completion made once it has started.
          if (live) setTimeout(() => void post('mutation { createChatCompletion(input: { model: "chat", messages: [{ role: USER, content: "Hi" }] }) { __typename } }'), 300);
        });
      } finally {
        await client.dispose();
      }
      return values;
    }

    // The OpenAI / Anthropic SDK snippet, run as written (plain JavaScript) against the app.
    it('runs the SDK example of "OpenAI and Anthropic SDKs"', async () => {
      const section = README.split(/^## /m).find((part) => part.startsWith('OpenAI and Anthropic SDKs'));
      const code = section && /```ts\n([\s\S]*?)```/.exec(section)?.[1];
      expect(code).toContain("baseURL: 'http://127.0.0.1:4000");
      // Written next to this file so that the SDK imports resolve from the project's node_modules.
      const file = new URL(`./.sdk-example-${process.pid}-${Date.now()}.mjs`, import.meta.url);
      writeFileSync(file, code!.replaceAll('http://127.0.0.1:4000', app.url));
      const logged: unknown[][] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args) => void logged.push(args));
      const previousKey = process.env.MODELGRAPH_KEY;
      process.env.MODELGRAPH_KEY = TEST_ADMIN_KEY;
      try {
        await import(file.href);
      } finally {
        log.mockRestore();
        if (previousKey === undefined) delete process.env.MODELGRAPH_KEY;
        else process.env.MODELGRAPH_KEY = previousKey;
        rmSync(file, { force: true });
      }
      // One line per SDK: the OpenAI reply's text, then the Anthropic message's content blocks.
      expect(logged).toHaveLength(2);
      expect(typeof logged[0]![0]).toBe('string');
      expect((logged[0]![0] as string).length).toBeGreaterThan(0);
      expect(logged[1]![0]).toEqual([expect.objectContaining({ type: 'text' })]);
    }, 60_000);

    // In README order: later examples may use ids from earlier ones.
    it.each(GRAPHQL.map((block) => ({ ...block, name: `graphql example at README line ${block.line}` })))('$name', async (example) => {
      const document = checkDocument(example.text);
      const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
      for (const operation of operations) {
        const name = operation.name?.value;
        const source = fillPlaceholders(example.text, operation);
        if (operation.operation === 'subscription') {
          const live = operation.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && LIVE_SUBSCRIPTIONS.has(selection.name.value));
          const values = await subscribe(source, name, live);
          expect(values.length).toBeGreaterThan(0);
          expect(typedErrors(values)).toEqual([]);
        } else {
          const result = await post(source, name);
          expect(result.errors).toBeUndefined();
          expect(typedErrors(result.data)).toEqual([]);
          collectIds(result.data);
        }
      }
    }, 60_000);
  });
});
