// Providers and deployments (admin): the live routing table, refreshed every few seconds, with
// create, edit and delete of admin deployments, and provider credentials set or removed, all
// through the admin GraphQL mutations. Changes apply to the next request, without a restart.
import { useEffect, useState } from 'preact/hooks';
import { request, unwrap } from '../api.ts';
import { DELETE_DEPLOYMENT, DELETE_PROVIDER_CREDENTIAL, DEPLOYMENTS, PROVIDERS_PAGE, UPSERT_DEPLOYMENT, UPSERT_PROVIDER_CREDENTIAL } from '../operations.ts';
import { CredentialForm, type CredentialTarget } from '../providers/credential-form.tsx';
import { DeploymentForm } from '../providers/deployment-form.tsx';
import { DeploymentsTable } from '../providers/deployments-table.tsx';
import { providerRows, ProvidersTable } from '../providers/providers-table.tsx';
import type { Deployment, ProvidersPage } from '../providers/types.ts';
import { useReloadingAction } from '../components/use-reloading-action.ts';

const REFRESH_MS = 5_000;

export function Providers() {
  const [page, setPage] = useState<ProvidersPage | null>(null);
  const [editing, setEditing] = useState<Deployment | null>(null);
  const [credentialTarget, setCredentialTarget] = useState<CredentialTarget | null>(null);
  const [refreshedAt, setRefreshedAt] = useState(Date.now());

  const load = () =>
    request<ProvidersPage>(PROVIDERS_PAGE)
      .then((data) => {
        setPage(data);
        setRefreshedAt(Date.now());
      })
      .catch((thrown: Error) => setError(thrown.message));

  useEffect(() => {
    void load();
    // Live state: health, cooldown and per-minute figures move without any change of ours.
    const timer = setInterval(() => {
      request<Pick<ProvidersPage, 'deployments'>>(DEPLOYMENTS)
        .then((data) => {
          setPage((current) => (current ? { ...current, deployments: data.deployments } : current));
          setRefreshedAt(Date.now());
        })
        .catch(() => undefined);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const { error, setError, act } = useReloadingAction(load);

  if (!page) {
    return (
      <section>
        <h2>Providers and deployments</h2>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </section>
    );
  }

  const providers = page.providers.edges.map((edge) => edge.node);
  const rows = providerRows(providers, page.providerCredentials, page.deployments);
  const usable = rows.filter((row) => row.configured || row.stored).map((row) => row.id);
  const configured = new Set(rows.filter((row) => row.configured).map((row) => row.id));

  const saveDeployment = (input: Record<string, unknown>) =>
    act(async () => {
      unwrap((await request<{ upsertDeployment: { __typename: string } }>(UPSERT_DEPLOYMENT, { input })).upsertDeployment);
      setEditing(null);
    });
  const deleteDeployment = (deployment: Deployment) =>
    act(async () => unwrap((await request<{ deleteDeployment: { __typename: string } }>(DELETE_DEPLOYMENT, { id: deployment.id })).deleteDeployment));
  const saveCredential = (input: Record<string, unknown>) =>
    act(async () => {
      unwrap((await request<{ upsertProviderCredential: { __typename: string } }>(UPSERT_PROVIDER_CREDENTIAL, { input })).upsertProviderCredential);
      setCredentialTarget(null);
    });

  return (
    <section class="providers-page">
      <h2>Providers and deployments</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}

      <h3>
        Deployments <span class="muted small-inline">live, updated {new Date(refreshedAt).toLocaleTimeString('en-GB', { hour12: false })}</span>
      </h3>
      {editing ? (
        <div class="panel" data-testid="edit-deployment">
          <p>
            Editing <strong>{editing.model}</strong> on {editing.provider}
          </p>
          <DeploymentForm key={editing.id} editing={editing} providers={usable} onSave={saveDeployment} onCancel={() => setEditing(null)} />
        </div>
      ) : (
        <details class="create">
          <summary>Add a deployment</summary>
          <DeploymentForm editing={null} providers={usable} onSave={saveDeployment} onCancel={() => undefined} />
        </details>
      )}
      <DeploymentsTable
        deployments={page.deployments}
        configuredProviders={configured}
        now={refreshedAt}
        onEdit={(deployment) => {
          setEditing(deployment);
          scrollTo({ top: 0 });
        }}
        onDelete={deleteDeployment}
      />

      <h3>Providers</h3>
      {credentialTarget && (
        <div class="panel" data-testid="edit-credentials">
          <CredentialForm key={credentialTarget.providerId} target={credentialTarget} providers={providers} onSave={saveCredential} onCancel={() => setCredentialTarget(null)} />
        </div>
      )}
      <ProvidersTable
        rows={rows}
        onEdit={(row) => setCredentialTarget({ providerId: row.id, kind: row.kind, baseUrl: row.baseUrl, stored: row.stored })}
        onRemove={(row) => {
          // Deployments of a provider that is gone leave the routing table (and this list) until it is back.
          const warning = `${row.id} serves ${row.deployments} deployment${row.deployments === 1 ? '' : 's'}: without its credentials they stop routing and are hidden here until ${row.id} is added again. Remove its stored credentials?`;
          if (row.deployments > 0 && !confirm(warning)) return;
          void act(async () =>
            unwrap((await request<{ deleteProviderCredential: { __typename: string } }>(DELETE_PROVIDER_CREDENTIAL, { providerId: row.id })).deleteProviderCredential),
          );
        }}
      />
      <details class="create">
        <summary>Add a provider</summary>
        <CredentialForm target={null} providers={providers} onSave={saveCredential} />
      </details>
    </section>
  );
}
