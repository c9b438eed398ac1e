// Providers that can serve (configured in the file or the environment, or with stored
// credentials) or that a deployment names: whether each is configured and where its credentials
// come from. Never a secret: only whether one is stored.
import type { Deployment, Provider, ProviderCredential } from './types.ts';
import { TableHead } from '../components/table-head.tsx';

export interface ProviderRow {
  id: string;
  name: string;
  kind: string;
  baseUrl: string | null;
  configured: boolean;
  stored: ProviderCredential | null;
  deployments: number;
}

/** Rows for every provider that is configured, stored, or used by a deployment. */
export function providerRows(providers: Provider[], credentials: ProviderCredential[], deployments: Deployment[]): ProviderRow[] {
  const stored = new Map(credentials.map((credential) => [credential.providerId, credential]));
  const used = new Map<string, number>();
  for (const deployment of deployments) used.set(deployment.provider, (used.get(deployment.provider) ?? 0) + 1);
  const ids = new Set([...providers.filter((provider) => provider.configured).map((provider) => provider.id), ...stored.keys(), ...used.keys()]);
  return [...ids].sort().map((id) => {
    const provider = providers.find((candidate) => candidate.id === id);
    const credential = stored.get(id) ?? null;
    return {
      id,
      name: provider?.name ?? id,
      kind: credential?.kind ?? provider?.kind ?? '—',
      baseUrl: credential?.baseUrl ?? provider?.baseUrl ?? null,
      configured: provider?.configured ?? false,
      stored: credential,
      deployments: used.get(id) ?? 0,
    };
  });
}

function credentialsText(row: ProviderRow): string {
  if (row.stored) return row.stored.hasSecret ? 'stored, secret set' : 'stored, no secret';
  return row.configured ? 'config file or environment' : 'none';
}

export function ProvidersTable(props: { rows: ProviderRow[]; onEdit(row: ProviderRow): void; onRemove(row: ProviderRow): void }) {
  if (props.rows.length === 0) return <p class="muted">No provider is configured yet: add one below.</p>;
  return (
    <table class="list providers">
      <TableHead columns={['Provider', 'Kind', 'Base URL', 'State', 'Credentials', 'Deployments', '']} />
      <tbody>
        {props.rows.map((row) => (
          <tr data-provider-id={row.id} data-configured={String(row.configured)}>
            <td>
              <strong>{row.id}</strong>
              {row.name !== row.id && <span class="muted small">{row.name}</span>}
            </td>
            <td>{row.kind}</td>
            <td class="url">{row.baseUrl ? <code>{row.baseUrl}</code> : <span class="muted">default</span>}</td>
            <td class={`health ${row.configured ? 'good' : 'bad'}`}>{row.configured ? 'configured' : 'not configured'}</td>
            <td class="credentials">{credentialsText(row)}</td>
            <td>{row.deployments}</td>
            <td class="actions">
              <button type="button" class="link" aria-label={`Set credentials of ${row.id}`} onClick={() => props.onEdit(row)}>
                Set credentials
              </button>
              {row.stored && (
                <button type="button" class="danger" aria-label={`Remove stored credentials of ${row.id}`} onClick={() => props.onRemove(row)}>
                  Remove
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
