// Helpers for metering tests over a started app.
import type { Client } from 'graphql-ws';
import type { TestApp } from './test-app.ts';

/** Resolves once every usage record recorded so far is written (the buffer is empty). */
export async function usageFlushed(app: TestApp, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (app.app.services.health.metering().buffered > 0) {
    if (Date.now() - started > timeoutMs) throw new Error('usage was not written in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const bearer = (secret: string | null) => ({ authorization: secret === null ? '' : `Bearer ${secret}` });

export const CHAT = `mutation($model: String!, $user: String, $max: Int) {
  createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }], user: $user, maxOutputTokens: $max }) {
    __typename
    ... on ChatCompletion { id cost usage { inputTokens outputTokens } }
    ... on Error { code errorMessage: message }
  }
}`;

/** Runs a chat completion through GraphQL; returns the union member. */
export async function chat(app: TestApp, secret: string | null, variables: { model: string; user?: string; max?: number }): Promise<any> {
  const response = await app.graphql(CHAT, variables, secret === null ? {} : bearer(secret));
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.createChatCompletion;
}

/** A running subscription that collects its `data` payloads until stopped. */
export function collectSubscription(client: Client, query: string): { values: any[]; errors: unknown[]; stop(): void } {
  const values: any[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe(
    { query },
    {
      next: (message) => (message.errors ? errors.push(message.errors) : values.push(message.data)),
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return { values, errors, stop };
}

export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
