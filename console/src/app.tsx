// The console shell: sign-in gate, navigation between views (hash routes), and the live usage
// feed, which runs from sign-in on so events are collected while another view is open.
import { useEffect, useState } from 'preact/hooks';
import { request, session, signOut } from './api.ts';
import { ME } from './operations.ts';
import { useUsageFeed, LiveFeed } from './views/live-feed.tsx';
import { Keys } from './views/keys.tsx';
import { Playground } from './views/playground.tsx';
import { Providers } from './views/providers.tsx';
import { SignIn } from './views/sign-in.tsx';
import { Teams } from './views/teams.tsx';
import { Usage } from './views/usage.tsx';

export interface Me {
  keyId: string;
  name: string;
  isMasterKey: boolean;
  scopes: string[];
  team: { id: string; name: string } | null;
}

const VIEWS = [
  { route: 'playground', title: 'Playground', needs: 'INFERENCE' },
  { route: 'keys', title: 'Keys', needs: 'ADMIN' },
  { route: 'teams', title: 'Teams', needs: 'ADMIN' },
  { route: 'providers', title: 'Providers', needs: 'ADMIN' },
  { route: 'usage', title: 'Usage', needs: 'READ_USAGE' },
  { route: 'live', title: 'Live feed', needs: 'READ_USAGE' },
] as const;

type Route = (typeof VIEWS)[number]['route'];

const may = (me: Me, scope: string) => me.scopes.includes(scope) || (scope === 'READ_USAGE' && me.scopes.includes('ADMIN'));

function useRoute(): Route {
  const read = () => (VIEWS.find((view) => `#/${view.route}` === location.hash)?.route ?? 'playground') as Route;
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(session.key !== null);
  const route = useRoute();

  // A key kept from earlier in this tab signs in again on reload.
  useEffect(() => {
    if (session.key === null) return;
    request<{ me: Me }>(ME)
      .then((data) => setMe(data.me))
      .catch(() => signOut())
      .finally(() => setChecking(false));
  }, []);

  const feed = useUsageFeed(me !== null && may(me, 'READ_USAGE'));

  if (checking) return <p class="muted center">Signing in…</p>;
  if (!me) return <SignIn onSignedIn={setMe} />;

  const current = VIEWS.find((view) => view.route === route)!;
  return (
    <div class="shell">
      <header>
        <strong class="brand">modelgraph</strong>
        <nav>
          {VIEWS.filter((view) => may(me, view.needs)).map((view) => (
            <a href={`#/${view.route}`} aria-current={view.route === route ? 'page' : undefined}>
              {view.title}
              {view.route === 'live' && feed.unseen > 0 && route !== 'live' ? <span class="badge">{feed.unseen}</span> : null}
            </a>
          ))}
        </nav>
        <span class="who" title={me.scopes.join(', ')}>
          {me.name} · {me.scopes.join(' ')}
        </span>
        <button
          type="button"
          class="link"
          onClick={() => {
            signOut();
            setMe(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        {!may(me, current.needs) ? (
          <p class="notice">This key lacks the {current.needs} scope needed here.</p>
        ) : route === 'playground' ? (
          <Playground isAdmin={may(me, 'ADMIN')} />
        ) : route === 'keys' ? (
          <Keys />
        ) : route === 'teams' ? (
          <Teams />
        ) : route === 'providers' ? (
          <Providers />
        ) : route === 'usage' ? (
          <Usage />
        ) : (
          <LiveFeed feed={feed} />
        )}
      </main>
    </div>
  );
}
