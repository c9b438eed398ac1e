import { useState } from 'preact/hooks';
import { request, session, signOut } from '../api.ts';
import type { Me } from '../app.tsx';
import { ME } from '../operations.ts';

export function SignIn(props: { onSignedIn(me: Me): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    session.key = key.trim();
    try {
      props.onSignedIn((await request<{ me: Me }>(ME)).me);
    } catch (thrown) {
      signOut();
      setError((thrown as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="sign-in" onSubmit={submit}>
      <h1>modelgraph console</h1>
      <p class="muted">Sign in with an API key. It is kept in this tab only (sessionStorage) and sent to this server's GraphQL API.</p>
      <label>
        API key
        <input type="password" autocomplete="off" required value={key} onInput={(event) => setKey(event.currentTarget.value)} placeholder="mg-…" />
      </label>
      <button type="submit" disabled={busy || key.trim() === ''}>
        Sign in
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
