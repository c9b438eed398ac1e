// Streams one prompt to one or several models side by side (chatCompletionStreams over
// graphql-ws), each answer with its usage and cost.
import { useEffect, useRef, useState } from 'preact/hooks';
import { request, subscribe } from '../api.ts';
import { count, usd } from '../format.ts';
import { NoModelsHint } from '../components/no-models-hint.tsx';
import { COMPARE_STREAMS, MODELS } from '../operations.ts';

interface ModelOption {
  id: string;
  name: string;
  simulated: boolean;
  provider: { id: string; name: string };
  pricing: { input: string; output: string } | null;
}

type StreamEvent =
  | { __typename: 'ChatCompletionStarted'; id: string }
  | { __typename: 'ChatTextDelta'; text: string }
  | { __typename: 'ChatReasoningDelta'; text: string }
  | {
      __typename: 'ChatCompletionCompleted';
      cost: string;
      usage: { inputTokens: number; outputTokens: number };
      finishReason: { unified: string };
      completion: { model: string; provider: string; latencyMs: number; timeToFirstTokenMs: number | null };
    }
  | { __typename: 'ChatCompletionFailed'; code: string; message: string; cost: string; usage: { inputTokens: number; outputTokens: number } }
  | { __typename: 'ChatReasoningBlock' | 'ChatToolCallDelta' };

interface Answer {
  model: string;
  generationId: string | null;
  text: string;
  reasoning: string;
  status: 'waiting' | 'streaming' | 'completed' | 'failed' | 'stopped';
  cost: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  detail: string | null;
}

const newAnswer = (model: string): Answer => ({ model, generationId: null, text: '', reasoning: '', status: 'waiting', cost: null, usage: null, detail: null });

function apply(answer: Answer, event: StreamEvent): Answer {
  switch (event.__typename) {
    case 'ChatCompletionStarted':
      return { ...answer, generationId: event.id, status: 'streaming' };
    case 'ChatTextDelta':
      return { ...answer, text: answer.text + event.text };
    case 'ChatReasoningDelta':
      return { ...answer, reasoning: answer.reasoning + event.text };
    case 'ChatCompletionCompleted': {
      const { completion } = event;
      const timing = `${completion.latencyMs} ms${completion.timeToFirstTokenMs !== null ? `, first token ${completion.timeToFirstTokenMs} ms` : ''}`;
      return { ...answer, status: 'completed', cost: event.cost, usage: event.usage, detail: `${completion.provider} · ${event.finishReason.unified.toLowerCase()} · ${timing}` };
    }
    case 'ChatCompletionFailed':
      return { ...answer, status: 'failed', cost: event.cost, usage: event.usage, detail: `${event.code}: ${event.message}` };
    default:
      return answer;
  }
}

export function Playground(props: { isAdmin: boolean }) {
  const [models, setModels] = useState<ModelOption[] | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [system, setSystem] = useState('');
  const [prompt, setPrompt] = useState('Explain in two sentences why the sky is blue.');
  const [maxTokens, setMaxTokens] = useState('256');
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef<(() => void) | null>(null);

  useEffect(() => {
    request<{ models: { edges: Array<{ node: ModelOption }> } }>(MODELS)
      .then((data) => {
        const options = data.models.edges.map((edge) => edge.node);
        setModels(options);
        setSelected(options.slice(0, 2).map((model) => model.id));
      })
      .catch((thrown: Error) => setError(thrown.message));
    return () => stop.current?.();
  }, []);

  function toggle(id: string) {
    setSelected((current) => (current.includes(id) ? current.filter((model) => model !== id) : [...current, id]));
  }

  function run(event: Event) {
    event.preventDefault();
    setError(null);
    const chosen = (models ?? []).filter((model) => selected.includes(model.id)).map((model) => model.id);
    setAnswers(chosen.map(newAnswer));
    setRunning(true);
    const messages = [...(system.trim() ? [{ role: 'SYSTEM', content: system }] : []), { role: 'USER', content: prompt }];
    const maxOutputTokens = Number.parseInt(maxTokens, 10);
    stop.current = subscribe<{ chatCompletionStreams: { index: number; event: StreamEvent } }>(
      COMPARE_STREAMS,
      { input: { model: chosen[0], messages, ...(Number.isFinite(maxOutputTokens) ? { maxOutputTokens } : {}) }, models: chosen },
      {
        next: ({ chatCompletionStreams: { index, event } }) =>
          setAnswers((current) => current.map((answer, position) => (position === index ? apply(answer, event) : answer))),
        error: (thrown) => {
          setError(thrown.message);
          setRunning(false);
        },
        complete: () => setRunning(false),
      },
    );
  }

  function halt() {
    stop.current?.();
    stop.current = null;
    setRunning(false);
    setAnswers((current) => current.map((answer) => (answer.status === 'streaming' || answer.status === 'waiting' ? { ...answer, status: 'stopped' } : answer)));
  }

  return (
    <section>
      <h2>Playground</h2>
      <form class="playground" onSubmit={run}>
        <fieldset class="models">
          <legend>Models ({selected.length} selected)</legend>
          {models?.length === 0 && <NoModelsHint isAdmin={props.isAdmin} />}
          {models?.map((model) => (
            <label class="check">
              <input type="checkbox" name="model" value={model.id} checked={selected.includes(model.id)} onChange={() => toggle(model.id)} />
              {model.id}
              {model.pricing && <span class="muted"> · {usd(model.pricing.input)}/{usd(model.pricing.output)} per 1M</span>}
            </label>
          ))}
        </fieldset>
        <label>
          System prompt
          <textarea rows={2} value={system} onInput={(event) => setSystem(event.currentTarget.value)} placeholder="Optional" />
        </label>
        <label>
          Prompt
          <textarea rows={4} required value={prompt} onInput={(event) => setPrompt(event.currentTarget.value)} />
        </label>
        <div class="row">
          <label class="narrow">
            Max output tokens
            <input inputMode="numeric" value={maxTokens} onInput={(event) => setMaxTokens(event.currentTarget.value)} />
          </label>
          {running ? (
            <button type="button" onClick={halt}>
              Stop
            </button>
          ) : (
            <button type="submit" disabled={selected.length === 0 || prompt.trim() === ''}>
              {selected.length > 1 ? `Compare ${selected.length} models` : 'Run'}
            </button>
          )}
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="answers">
        {answers.map((answer) => (
          <article class={`answer ${answer.status}`} data-model={answer.model} data-status={answer.status}>
            <header>
              <strong>{answer.model}</strong>
              <span class="status">{answer.status}</span>
            </header>
            {answer.reasoning && <p class="reasoning">{answer.reasoning}</p>}
            <p class="text">{answer.text || (answer.status === 'waiting' ? '…' : '')}</p>
            <footer>
              {answer.usage && (
                <span class="usage">
                  {count(answer.usage.inputTokens)} in · {count(answer.usage.outputTokens)} out
                </span>
              )}
              {answer.cost !== null && <span class="cost">{usd(answer.cost)}</span>}
              {answer.detail && <span class="detail">{answer.detail}</span>}
            </footer>
          </article>
        ))}
      </div>
    </section>
  );
}
