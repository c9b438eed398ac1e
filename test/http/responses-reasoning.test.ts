// Reasoning items round-trip: the signed reasoning a provider family returned (Anthropic thinking
// signatures, Gemini thought signatures) comes back in `encrypted_content`, goes back to that family
// on the next turn (stored or stateless), and is never sent to another family.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { simulatedThoughtSignature } from '../providers/gemini-simulator.ts';
import { lastBody, models, useOpenAIClient } from './rest-test-app.ts';

const { context, client } = useOpenAIClient();

const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
const signature = Buffer.from('sig:The Louvre is in Paris.').toString('base64');

async function anthropicReasoningTurn() {
  context.anthropic.setScenario({ kind: 'text', chunks: ['Paris.'], reasoningChunks: ['The Louvre ', 'is in Paris.'], usage: { input: 20, output: 30, reasoning: 10 } });
  return client.responses.create({ model: models.anthropic, input: 'Where is the Louvre?', reasoning: { effort: 'medium', summary: 'auto' } });
}

describe('reasoning items', () => {
  it('returns the summary and the signed blocks in encrypted_content, and sends them back to Anthropic', async () => {
    const first = await anthropicReasoningTurn();
    const reasoning = first.output[0]!;
    expect(reasoning).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'The Louvre is in Paris.' }], encrypted_content: expect.stringMatching(/^mg1\./) });

    // Stored: previous_response_id.
    context.anthropic.setScenario({ kind: 'text', chunks: ['Yes.'], usage: { input: 40, output: 2 } });
    await client.responses.create({ model: models.anthropic, previous_response_id: first.id, input: 'Sure?' });
    const thinking = { type: 'thinking', thinking: 'The Louvre is in Paris.', signature };
    expect(lastBody(context.anthropic.requests).messages[1]).toEqual({ role: 'assistant', content: [thinking, { type: 'text', text: 'Paris.' }] });

    // Stateless: the output items sent back as input.
    await client.responses.create({
      model: models.anthropic,
      store: false,
      input: [{ role: 'user', content: 'Where is the Louvre?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { role: 'user', content: 'Sure?' }],
    });
    expect(lastBody(context.anthropic.requests).messages[1]).toEqual({ role: 'assistant', content: [thinking, { type: 'text', text: 'Paris.' }] });
  });

  it('never sends Anthropic’s signed reasoning to Gemini when the conversation moves there', async () => {
    const first = await anthropicReasoningTurn();
    context.gemini.setScenario({ kind: 'text', chunks: ['Oui.'], usage: { input: 10, output: 2 } });
    await client.responses.create({ model: models.gemini, previous_response_id: first.id, input: 'Sure?' });
    const contents = lastBody(context.gemini.requests).contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    expect(contents[1]).toEqual({ role: 'model', parts: [{ text: 'Paris.' }] });
    expect(JSON.stringify(contents)).not.toContain(signature);
  });

  it('sends Gemini’s thought signature back to Gemini with its function call, and not to Anthropic', async () => {
    context.gemini.setScenario({
      kind: 'tool-calls',
      calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      usage: { input: 20, output: 6 },
    });
    const first = await client.responses.stream({ model: models.gemini, input: 'Weather in Oslo?', tools, reasoning: { effort: 'low' } }).finalResponse();
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning).toMatchObject({ encrypted_content: expect.stringMatching(/^mg1\./) });
    const call = first.output.find((item) => item.type === 'function_call')!;
    const callId = call.type === 'function_call' ? call.call_id : '';

    context.gemini.setScenario({ kind: 'text', chunks: ['Snow.'], usage: { input: 30, output: 2 } });
    await client.responses.create({ model: models.gemini, tools, previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: callId, output: 'snow' }] });
    const contents = lastBody(context.gemini.requests).contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    expect(contents[1]!.parts[0]).toMatchObject({ functionCall: { name: 'get_weather' }, thoughtSignature: simulatedThoughtSignature });

    context.anthropic.setScenario({ kind: 'text', chunks: ['Snow.'], usage: { input: 30, output: 2 } });
    await client.responses.create({ model: models.anthropic, tools, previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: callId, output: 'snow' }] });
    const assistant = lastBody(context.anthropic.requests).messages[1];
    expect(assistant).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: callId, name: 'get_weather', input: { city: 'Oslo' } }] });
  });

  it('drops reasoning items it cannot verify (summary only, or another service’s ciphertext)', async () => {
    context.anthropic.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 5, output: 1 } });
    await client.responses.create({
      model: models.anthropic,
      store: false,
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'gAAAA-openai-ciphertext' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Bye' },
      ] as OpenAI.Responses.ResponseInputItem[],
    });
    expect(lastBody(context.anthropic.requests).messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Hello' }] });
  });
});
