// The routing table with each deployment's live state. Admin deployments can be edited and
// deleted; config and catalog ones are shown read-only, with the reason.
import { usd } from '../format.ts';
import { healthOf, READ_ONLY_REASON, statsOf, type Deployment } from './types.ts';
import { TableHead } from '../components/table-head.tsx';

const SOURCE_LABEL: Record<Deployment['source'], string> = { CONFIG: 'config file', ADMIN: 'admin', CATALOG: 'catalog' };

function price(deployment: Deployment): string {
  if (deployment.inputPrice === null && deployment.outputPrice === null) return 'no price';
  return `${usd(deployment.inputPrice)} / ${usd(deployment.outputPrice)}`;
}

function limits(deployment: Deployment): string {
  const parts = [deployment.rpm !== null ? `${deployment.rpm} rpm` : null, deployment.tpm !== null ? `${deployment.tpm} tpm` : null].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

export function DeploymentsTable(props: {
  deployments: Deployment[];
  configuredProviders: Set<string>;
  now: number;
  onEdit(deployment: Deployment): void;
  onDelete(deployment: Deployment): void;
}) {
  if (props.deployments.length === 0) {
    return <p class="muted">No deployments yet: add one above, or declare models in the config file.</p>;
  }
  const readOnlySources = (['CONFIG', 'CATALOG'] as const).filter((source) => props.deployments.some((deployment) => deployment.source === source));
  return (
    <>
    <table class="list deployments">
      <TableHead columns={['Model', 'Provider / upstream', 'Source', ['Weight · priority', 'Weight within a priority; lower priorities are tried first'], ['Price in / out', 'USD per 1M input / output tokens'], 'Limits', 'Health', 'Live (this minute)', '']} />
      <tbody>
        {props.deployments.map((deployment) => {
          const health = healthOf(deployment, props.configuredProviders.has(deployment.provider), props.now);
          return (
            <tr data-deployment-id={deployment.id} data-model={deployment.model} data-provider={deployment.provider} data-source={deployment.source}>
              <td>
                <strong>{deployment.model}</strong>
              </td>
              <td>
                {deployment.provider} / <code>{deployment.upstreamModel}</code>
              </td>
              <td>
                <span class={`source ${deployment.source.toLowerCase()}`}>{SOURCE_LABEL[deployment.source]}</span>
              </td>
              <td>
                {deployment.weight} · {deployment.priority}
              </td>
              <td class="nowrap">{price(deployment)}</td>
              <td>{limits(deployment)}</td>
              <td class={`health ${health.level}`} data-health={health.level}>
                {health.text}
              </td>
              <td class="stats">{statsOf(deployment.state)}</td>
              <td class="actions">
                {deployment.source === 'ADMIN' ? (
                  <>
                    <button type="button" class="link" aria-label={`Edit ${deployment.model} on ${deployment.provider}`} onClick={() => props.onEdit(deployment)}>
                      Edit
                    </button>
                    <button type="button" class="danger" aria-label={`Delete ${deployment.model} on ${deployment.provider}`} onClick={() => props.onDelete(deployment)}>
                      Delete
                    </button>
                  </>
                ) : (
                  <span class="read-only" title={READ_ONLY_REASON[deployment.source]}>
                    read-only
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
      {readOnlySources.map((source) => (
        <p class="muted small read-only-note" data-source={source}>
          <strong>{SOURCE_LABEL[source]}</strong> rows are read-only. {READ_ONLY_REASON[source]}
        </p>
      ))}
    </>
  );
}
