// Teams (admin): list with members and limits, create, change limits, delete (only without keys).
import { useEffect, useState } from 'preact/hooks';
import { request, unwrap } from '../api.ts';
import { describeLimits, emptyLimits, LimitsFields, limitsFrom, toLimitsInput, type LimitsValue } from '../components/limits-fields.tsx';
import { listOf } from '../format.ts';
import { CREATE_TEAM, DELETE_TEAM, TEAMS, UPDATE_TEAM } from '../operations.ts';
import { LimitsEditor } from './keys.tsx';
import { TableHead } from '../components/table-head.tsx';
import { TextField } from '../components/text-field.tsx';
import { useReloadingAction } from '../components/use-reloading-action.ts';

interface Team {
  id: string;
  name: string;
  allowedModels: string[] | null;
  members: Array<{ role: string; user: { email: string } }>;
  limits: { rpm: number | null; tpm: number | null; maxBudget: string | null; budgetPeriod: string | null; maxParallelRequests: number | null };
}

export function Teams() {
  const [teams, setTeams] = useState<Team[]>([]);
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [allowedModels, setAllowedModels] = useState('');
  const [limits, setLimits] = useState<LimitsValue>(emptyLimits);

  const load = () =>
    request<{ teams: { edges: Array<{ node: Team }> } }>(TEAMS)
      .then((data) => setTeams(data.teams.edges.map((edge) => edge.node)))
      .catch((thrown: Error) => setError(thrown.message));
  useEffect(() => void load(), []);

  const { error, setError, act } = useReloadingAction(load);

  function create(event: Event) {
    event.preventDefault();
    const models = listOf(allowedModels);
    void act(async () => {
      unwrap(
        (await request<{ createTeam: { __typename: string } }>(CREATE_TEAM, {
          input: { name: name.trim(), ...(models.length ? { allowedModels: models } : {}), limits: toLimitsInput(limits) },
        })).createTeam,
      );
    }).then((created) => {
      if (!created) return;
      setName('');
      setAllowedModels('');
      setLimits(emptyLimits());
    });
  }

  return (
    <section>
      <h2>Teams</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <details class="create">
        <summary>Create a team</summary>
        <form onSubmit={create}>
          <TextField label="Team name" required value={name} onInput={setName} />
          <TextField label="Allowed models" value={allowedModels} onInput={setAllowedModels} placeholder="All; or e.g. mock/*" />
          <LimitsFields value={limits} onChange={setLimits} />
          <button type="submit">Create team</button>
        </form>
      </details>
      <table class="list">
        <TableHead columns={['Name', 'Members', 'Allowed models', 'Limits', '']} />
        <tbody>
          {teams.map((team) => (
            <tr data-team-name={team.name}>
              <td>{team.name}</td>
              <td>{team.members.map((member) => `${member.user.email} (${member.role.toLowerCase()})`).join(', ') || '—'}</td>
              <td>{team.allowedModels?.join(', ') ?? 'all'}</td>
              <td>
                {editing === team.id ? (
                  <LimitsEditor
                    initial={limitsFrom(team.limits)}
                    onCancel={() => setEditing(null)}
                    onSave={(value) =>
                      act(async () => {
                        unwrap((await request<{ updateTeam: { __typename: string } }>(UPDATE_TEAM, { id: team.id, input: { limits: toLimitsInput(value) } })).updateTeam);
                        setEditing(null);
                      })
                    }
                  />
                ) : (
                  describeLimits(team.limits)
                )}
              </td>
              <td class="actions">
                <button type="button" class="link" onClick={() => setEditing(team.id)}>
                  Limits
                </button>
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete ${team.name}`}
                  onClick={() => act(async () => unwrap((await request<{ deleteTeam: { __typename: string } }>(DELETE_TEAM, { id: team.id })).deleteTeam))}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
