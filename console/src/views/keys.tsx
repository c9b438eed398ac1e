// API keys (admin): list, create (the secret is shown once), change limits, revoke.
import { useEffect, useState } from 'preact/hooks';
import { request, unwrap } from '../api.ts';
import { describeLimits, emptyLimits, LimitsFields, limitsFrom, toLimitsInput, type LimitsValue } from '../components/limits-fields.tsx';
import { listOf, micro, usd } from '../format.ts';
import { API_KEYS, CREATE_API_KEY, REVOKE_API_KEY, TEAMS, UPDATE_API_KEY } from '../operations.ts';
import { TableHead } from '../components/table-head.tsx';
import { TextField } from '../components/text-field.tsx';
import { useReloadingAction } from '../components/use-reloading-action.ts';

interface Limits {
  rpm: number | null;
  tpm: number | null;
  maxBudget: string | null;
  budgetPeriod: string | null;
  maxParallelRequests: number | null;
}

interface ApiKey {
  id: string;
  name: string;
  displayPrefix: string;
  status: string;
  scopes: string[];
  isMaster: boolean;
  allowedModels: string[] | null;
  createdAt: string;
  team: { id: string; name: string } | null;
  limits: Limits;
  /** The key's own budget with its spend this period; null without one. */
  budget: { limit: string; spent: string; reserved: string; resetsAt: string | null } | null;
}

interface KeySpend {
  keyId: string | null;
  cost: string;
  requests: number;
}

const SCOPES = ['INFERENCE', 'READ_USAGE', 'METRICS', 'ADMIN'];

export function Keys() {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [spend, setSpend] = useState<Map<string, KeySpend>>(new Map());
  const [teams, setTeams] = useState<Array<{ id: string; name: string }>>([]);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const load = () =>
    request<{ apiKeys: { edges: Array<{ node: ApiKey }> }; spendByKey: { series: KeySpend[] } }>(API_KEYS)
      .then((data) => {
        setKeys(data.apiKeys.edges.map((edge) => edge.node));
        setSpend(new Map(data.spendByKey.series.map((group) => [group.keyId ?? '', group])));
      })
      .catch((thrown: Error) => setError(thrown.message));

  useEffect(() => {
    void load();
    request<{ teams: { edges: Array<{ node: { id: string; name: string } }> } }>(TEAMS)
      .then((data) => setTeams(data.teams.edges.map((edge) => edge.node)))
      .catch((thrown: Error) => setError(thrown.message));
  }, []);

  const { error, setError, act } = useReloadingAction(load);

  const revoke = (key: ApiKey) =>
    act(async () => unwrap((await request<{ revokeApiKey: { __typename: string } }>(REVOKE_API_KEY, { id: key.id })).revokeApiKey));

  const saveLimits = (key: ApiKey, limits: LimitsValue) =>
    act(async () => {
      unwrap((await request<{ updateApiKey: { __typename: string } }>(UPDATE_API_KEY, { id: key.id, input: { limits: toLimitsInput(limits) } })).updateApiKey);
      setEditing(null);
    });

  return (
    <section>
      <h2>API keys</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {secret && (
        <div class="secret" role="status">
          <p>
            New key <strong>{secret.name}</strong>: copy its secret now, it is not shown again.
          </p>
          <code data-testid="new-secret">{secret.secret}</code>
          <button type="button" class="link" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      )}
      <CreateKeyForm
        teams={teams}
        onCreate={(input) =>
          act(async () => {
            const result = unwrap(
              (await request<{ createApiKey: { __typename: string; secret: string; apiKey: { name: string } } }>(CREATE_API_KEY, { input })).createApiKey,
            );
            setSecret({ name: result.apiKey.name, secret: result.secret });
          })
        }
      />
      <table class="list">
        <TableHead columns={['Name', 'Key', 'Status', 'Scopes', 'Team', 'Limits', ['Spend (all time)', 'Everything the key spent, from the usage records'], ['Budget used', 'Spent (and held by requests in flight) of the key\'s own budget in its current period'], '']} />
        <tbody>
          {keys.map((key) => (
            <tr data-key-name={key.name} data-status={key.status}>
              <td>{key.name}</td>
              <td>
                <code>{key.displayPrefix}</code>
              </td>
              <td class={`status ${key.status.toLowerCase()}`}>{key.status}</td>
              <td>{key.scopes.join(' ')}</td>
              <td>{key.team?.name ?? '—'}</td>
              <td>
                {editing === key.id ? (
                  <LimitsEditor initial={limitsFrom(key.limits)} onSave={(limits) => saveLimits(key, limits)} onCancel={() => setEditing(null)} />
                ) : (
                  describeLimits(key.limits)
                )}
              </td>
              <td class="spend" data-column="spend">
                {usd(spend.get(key.id)?.cost ?? '0')}
                <span class="muted"> · {spend.get(key.id)?.requests ?? 0} req</span>
              </td>
              <td class="budget-used" data-column="budget-used">
                <BudgetUsed budget={key.budget} />
              </td>
              <td class="actions">
                {key.status !== 'REVOKED' && (
                  <>
                    <button type="button" class="link" onClick={() => setEditing(key.id)}>
                      Limits
                    </button>
                    <button type="button" class="danger" aria-label={`Revoke ${key.name}`} onClick={() => revoke(key)}>
                      Revoke
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** "$1.20 of $25 (4.8%)" with a bar, and when the period resets; a dash without a budget. */
function BudgetUsed(props: { budget: ApiKey['budget'] }) {
  const { budget } = props;
  if (!budget) return <span class="muted">—</span>;
  const limit = micro(budget.limit);
  const used = micro(budget.spent) + micro(budget.reserved);
  const percent = limit > 0n ? Number((used * 1000n) / limit) / 10 : 100;
  return (
    <>
      <span>
        {usd(budget.spent)} of {usd(budget.limit)} <span class="muted">({percent === 0 && used > 0n ? '<0.1' : percent}%)</span>
      </span>
      <span class={`usage-bar${percent >= 100 ? ' full' : ''}`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(percent, 100)} aria-label="Budget used">
        <span style={{ width: `${Math.min(percent, 100)}%` }} />
      </span>
      {micro(budget.reserved) > 0n && <span class="muted"> + {usd(budget.reserved)} held</span>}
      <span class="muted small">{budget.resetsAt ? `resets ${budget.resetsAt.slice(0, 10)}` : 'never resets'}</span>
    </>
  );
}

function CreateKeyForm(props: { teams: Array<{ id: string; name: string }>; onCreate(input: Record<string, unknown>): Promise<boolean> }) {
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState('');
  const [scopes, setScopes] = useState<string[]>(['INFERENCE']);
  const [allowedModels, setAllowedModels] = useState('');
  const [limits, setLimits] = useState<LimitsValue>(emptyLimits);

  async function submit(event: Event) {
    event.preventDefault();
    const models = listOf(allowedModels);
    const created = await props.onCreate({
      name: name.trim(),
      scopes,
      ...(teamId ? { teamId } : {}),
      ...(models.length ? { allowedModels: models } : {}),
      limits: toLimitsInput(limits),
    });
    if (!created) return;
    setName('');
    setTeamId('');
    setScopes(['INFERENCE']);
    setAllowedModels('');
    setLimits(emptyLimits());
  }

  return (
    <details class="create">
      <summary>Create a key</summary>
      <form onSubmit={submit}>
        <TextField label="Key name" required value={name} onInput={setName} />
        <label>
          Team
          <select value={teamId} onChange={(event) => setTeamId(event.currentTarget.value)}>
            <option value="">default</option>
            {props.teams.map((team) => (
              <option value={team.id}>{team.name}</option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label class="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={() => setScopes((current) => (current.includes(scope) ? current.filter((item) => item !== scope) : [...current, scope]))}
              />
              {scope}
            </label>
          ))}
        </fieldset>
        <TextField label="Allowed models" value={allowedModels} onInput={setAllowedModels} placeholder="All; or e.g. mock/*, gpt-4o" />
        <LimitsFields value={limits} onChange={setLimits} />
        <button type="submit">Create key</button>
      </form>
    </details>
  );
}

export function LimitsEditor(props: { initial: LimitsValue; onSave(value: LimitsValue): void; onCancel(): void }) {
  const [value, setValue] = useState(props.initial);
  return (
    <form
      class="inline"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSave(value);
      }}
    >
      <LimitsFields value={value} onChange={setValue} />
      <button type="submit">Save limits</button>
      <button type="button" class="link" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}
