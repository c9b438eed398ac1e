// What a fresh install shows in the playground: no model is configured yet, and the three ways to
// add one (the mock provider in the config file, a provider key in the environment, or the
// Providers page without a restart).

const MOCK_CONFIG = `providers:
  - id: mock
    kind: mock
models:
  - name: chat
    provider: mock
    model: mock-small`;

const ENV_KEYS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GROQ_API_KEY', 'MISTRAL_API_KEY', 'OPENROUTER_API_KEY'];

export function NoModelsHint(props: { isAdmin: boolean }) {
  return (
    <div class="notice no-models" data-testid="no-models">
      <p>
        <strong>No configured models yet.</strong> Add one in any of these ways:
      </p>
      <ol>
        <li>
          Try it without provider keys: put the built-in mock provider in <code>modelgraph.yaml</code> (or the file <code>MODELGRAPH_CONFIG</code> names)
          and restart modelgraph:
          <pre>{MOCK_CONFIG}</pre>
        </li>
        <li>
          Without a config file, set a provider key in modelgraph's environment and restart, e.g.{' '}
          {ENV_KEYS.map((name, index) => (
            <>
              {index > 0 && ', '}
              <code>{name}</code>
            </>
          ))}
          ; that provider's catalog models are then offered as <code>provider/model</code>.
        </li>
        <li>
          {props.isAdmin ? (
            <>
              Without a restart: add a provider's credentials and a deployment on the <a href="#/providers">Providers page</a>.
            </>
          ) : (
            <>Without a restart: an admin key can add a provider and a deployment on the console's Providers page.</>
          )}
        </li>
      </ol>
    </div>
  );
}
