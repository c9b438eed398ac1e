// Sets a provider's credentials (upsertProviderCredential). The API key and extra headers are
// write-only: never shown, never pre-filled, cleared once saved; left empty, the stored ones stay.
import { useState } from 'preact/hooks';
import type { Provider, ProviderCredential } from './types.ts';

/** The mock kind is enabled only when configured, so the provider list never shows it. */
const ALWAYS_OFFERED_KINDS = ['mock'];

interface Target {
  providerId: string;
  kind: string;
  baseUrl: string | null;
  stored: ProviderCredential | null;
}

function parseObject(text: string, field: string): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${field}: not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${field}: must be a JSON object`);
  return parsed as Record<string, unknown>;
}

export function CredentialForm(props: {
  /** The provider being changed; null for a new one. */
  target: Target | null;
  providers: Provider[];
  onSave(input: Record<string, unknown>): Promise<boolean>;
  onCancel?(): void;
}) {
  const { target } = props;
  const [providerId, setProviderId] = useState(target?.providerId ?? '');
  const [kind, setKind] = useState(target?.kind ?? 'openai');
  const [baseUrl, setBaseUrl] = useState(target?.stored?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [headers, setHeaders] = useState('');
  const [settings, setSettings] = useState(target?.stored && Object.keys(target.stored.settings).length ? JSON.stringify(target.stored.settings) : '');
  const [problem, setProblem] = useState<string | null>(null);

  const kinds = [...new Set([...props.providers.map((provider) => provider.kind), ...ALWAYS_OFFERED_KINDS])].sort();
  const kindProvider = props.providers.find((provider) => provider.id === kind) ?? props.providers.find((provider) => provider.kind === kind);

  async function submit(event: Event) {
    event.preventDefault();
    setProblem(null);
    let input: Record<string, unknown>;
    try {
      const headerObject = parseObject(headers, 'Extra headers');
      const settingsObject = parseObject(settings, 'Settings');
      input = {
        providerId: providerId.trim(),
        kind,
        baseUrl: baseUrl.trim() || null,
        ...(apiKey !== '' ? { apiKey } : {}),
        ...(headerObject ? { headers: headerObject } : {}),
        ...(settingsObject ? { settings: settingsObject } : {}),
      };
    } catch (thrown) {
      setProblem((thrown as Error).message);
      return;
    }
    const saved = await props.onSave(input);
    // The secrets leave the page once they are stored.
    setApiKey('');
    setHeaders('');
    if (saved && !target) {
      setProviderId('');
      setBaseUrl('');
      setSettings('');
    }
  }

  const secretPlaceholder = target?.stored?.hasSecret ? 'A secret is stored; leave empty to keep it' : 'None stored';
  return (
    <form class="credential-form" onSubmit={submit} autocomplete="off" aria-label={target ? `Credentials of ${target.providerId}` : 'New provider'}>
      <div class="fields">
        <label>
          Provider id
          <input name="providerId" required readOnly={target !== null} value={providerId} placeholder="e.g. openai, acme" onInput={(event) => setProviderId(event.currentTarget.value)} />
        </label>
        <label>
          Kind
          <select name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
            {kinds.map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Base URL
          <input name="baseUrl" value={baseUrl} placeholder={kindProvider?.baseUrl ?? (target?.baseUrl || "the kind's default")} onInput={(event) => setBaseUrl(event.currentTarget.value)} />
        </label>
        <label>
          API key (write-only)
          <input name="apiKey" type="password" autocomplete="new-password" value={apiKey} placeholder={secretPlaceholder} onInput={(event) => setApiKey(event.currentTarget.value)} />
        </label>
        <label>
          Extra headers (JSON, write-only)
          <input name="headers" type="password" autocomplete="off" value={headers} placeholder={'{"OpenAI-Organization": "org-123"}'} onInput={(event) => setHeaders(event.currentTarget.value)} />
        </label>
        <label>
          Settings (JSON, not secret)
          <input name="settings" value={settings} placeholder={'e.g. {"apiVersion": "2024-10-21"}'} onInput={(event) => setSettings(event.currentTarget.value)} />
        </label>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <p class="muted small">Secrets are encrypted at rest (MODELGRAPH_SECRET_KEY) and never shown again, here or through the API.</p>
      <button type="submit">{target ? 'Save credentials' : 'Add provider'}</button>
      {props.onCancel && (
        <button type="button" class="link" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}

export type { Target as CredentialTarget };
