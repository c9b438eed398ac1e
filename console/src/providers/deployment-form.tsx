// Creates or edits an admin deployment (upsertDeployment). Editing sends every field back, as the
// mutation replaces the stored row: an empty field removes that setting.
import { useState } from 'preact/hooks';
import { listOf } from '../format.ts';
import type { Deployment } from './types.ts';

interface FormValue {
  model: string;
  provider: string;
  upstreamModel: string;
  weight: string;
  priority: string;
  timeoutMs: string;
  contextLength: string;
  maxOutputTokens: string;
  inputPrice: string;
  outputPrice: string;
  cacheReadPrice: string;
  cacheWritePrice: string;
  rpm: string;
  tpm: string;
  tags: string;
  region: string;
}

const EMPTY: FormValue = {
  model: '',
  provider: '',
  upstreamModel: '',
  weight: '1',
  priority: '0',
  timeoutMs: '',
  contextLength: '',
  maxOutputTokens: '',
  inputPrice: '',
  outputPrice: '',
  cacheReadPrice: '',
  cacheWritePrice: '',
  rpm: '',
  tpm: '',
  tags: '',
  region: '',
};

const text = (value: number | string | null) => (value === null ? '' : String(value));

function valueOf(deployment: Deployment | null, providers: string[]): FormValue {
  if (!deployment) return { ...EMPTY, provider: providers[0] ?? '' };
  return {
    model: deployment.model,
    provider: deployment.provider,
    upstreamModel: deployment.upstreamModel,
    weight: text(deployment.weight),
    priority: text(deployment.priority),
    timeoutMs: text(deployment.timeoutMs),
    contextLength: text(deployment.contextLength),
    maxOutputTokens: text(deployment.maxOutputTokens),
    inputPrice: text(deployment.inputPrice),
    outputPrice: text(deployment.outputPrice),
    cacheReadPrice: text(deployment.cacheReadPrice),
    cacheWritePrice: text(deployment.cacheWritePrice),
    rpm: text(deployment.rpm),
    tpm: text(deployment.tpm),
    tags: deployment.tags.join(', '),
    region: text(deployment.region),
  };
}

/** The DeploymentInput; a number field that does not parse is sent as given, for the API to refuse. */
function toInput(id: string | null, value: FormValue): Record<string, unknown> {
  const number = (field: string, parse: (raw: string) => number) => {
    const raw = field.trim();
    if (raw === '') return null;
    const parsed = parse(raw);
    return Number.isFinite(parsed) ? parsed : raw;
  };
  const int = (field: string) => number(field, (raw) => (/^-?\d+$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN));
  const prices = { input: value.inputPrice, output: value.outputPrice, cacheRead: value.cacheReadPrice, cacheWrite: value.cacheWritePrice };
  const pricing = Object.fromEntries(Object.entries(prices).filter(([, price]) => price.trim() !== '').map(([name, price]) => [name, price.trim()]));
  return {
    ...(id ? { id } : {}),
    model: value.model.trim(),
    provider: value.provider,
    upstreamModel: value.upstreamModel.trim(),
    weight: number(value.weight, Number),
    priority: int(value.priority),
    timeoutMs: int(value.timeoutMs),
    contextLength: int(value.contextLength),
    maxOutputTokens: int(value.maxOutputTokens),
    pricing: Object.keys(pricing).length ? pricing : null,
    rpm: int(value.rpm),
    tpm: int(value.tpm),
    tags: listOf(value.tags),
    region: value.region.trim() || null,
  };
}

export function DeploymentForm(props: {
  editing: Deployment | null;
  /** Provider ids a deployment can use (configured in the file or stored). */
  providers: string[];
  onSave(input: Record<string, unknown>): Promise<boolean>;
  onCancel(): void;
}) {
  const [value, setValue] = useState<FormValue>(() => valueOf(props.editing, props.providers));
  const providers = props.providers.includes(value.provider) || value.provider === '' ? props.providers : [value.provider, ...props.providers];

  const field = (name: keyof FormValue, label: string, options: { placeholder?: string; required?: boolean; numeric?: boolean } = {}) => (
    <label>
      {label}
      <input
        name={name}
        required={options.required}
        inputMode={options.numeric ? 'decimal' : undefined}
        placeholder={options.placeholder}
        value={value[name]}
        onInput={(event) => setValue({ ...value, [name]: event.currentTarget.value })}
      />
    </label>
  );

  async function submit(event: Event) {
    event.preventDefault();
    // A provider added after this form opened is listed but not chosen yet: the select shows the first.
    const saved = await props.onSave(toInput(props.editing?.id ?? null, { ...value, provider: value.provider || providers[0] || '' }));
    if (saved && !props.editing) setValue(valueOf(null, props.providers));
  }

  return (
    <form class="deployment-form" onSubmit={submit} aria-label={props.editing ? 'Edit deployment' : 'New deployment'}>
      <div class="fields">
        {field('model', 'Public model name', { required: true, placeholder: 'e.g. chat' })}
        <label>
          Provider
          <select name="provider" required value={value.provider} onChange={(event) => setValue({ ...value, provider: event.currentTarget.value })}>
            {providers.length === 0 && <option value="">no provider yet: add one below</option>}
            {providers.map((id) => (
              <option value={id}>{id}</option>
            ))}
          </select>
        </label>
        {field('upstreamModel', 'Upstream model', { required: true, placeholder: "the provider's model id" })}
        {field('weight', 'Weight', { numeric: true })}
        {field('priority', 'Priority (lower first)', { numeric: true })}
        {field('timeoutMs', 'Timeout (ms)', { numeric: true, placeholder: 'router default' })}
        {field('inputPrice', 'Input $ / 1M tokens', { numeric: true, placeholder: 'catalog price' })}
        {field('outputPrice', 'Output $ / 1M tokens', { numeric: true, placeholder: 'catalog price' })}
        {field('cacheReadPrice', 'Cache read $ / 1M', { numeric: true, placeholder: 'catalog price' })}
        {field('cacheWritePrice', 'Cache write $ / 1M', { numeric: true, placeholder: 'catalog price' })}
        {field('rpm', 'Requests/min', { numeric: true, placeholder: 'no limit' })}
        {field('tpm', 'Tokens/min', { numeric: true, placeholder: 'no limit' })}
        {field('contextLength', 'Context length', { numeric: true, placeholder: 'catalog' })}
        {field('maxOutputTokens', 'Max output tokens', { numeric: true, placeholder: 'catalog' })}
        {field('tags', 'Tags', { placeholder: 'e.g. eu, batch' })}
        {field('region', 'Region', { placeholder: 'optional' })}
      </div>
      {props.editing && (
        <p class="muted small">
          Prices and lengths are filled in as the deployment routes now, catalog values included; saving keeps them as this deployment's own.
        </p>
      )}
      <button type="submit">{props.editing ? 'Save deployment' : 'Add deployment'}</button>
      {props.editing && (
        <button type="button" class="link" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
