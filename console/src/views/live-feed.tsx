// Usage records as they are written, from the usageEvents subscription.
import { useEffect, useState } from 'preact/hooks';
import { onConnection, subscribe } from '../api.ts';
import { count, time, usd } from '../format.ts';
import { USAGE_EVENTS } from '../operations.ts';
import { TableHead } from '../components/table-head.tsx';

interface UsageEvent {
  id: string;
  createdAt: string;
  requestedModel: string;
  model: string | null;
  provider: string | null;
  status: string;
  errorCode: string | null;
  streamed: boolean;
  cost: string;
  latencyMs: number;
  usage: { inputTokens: number; outputTokens: number };
  key: { name: string } | null;
}

export interface UsageFeed {
  events: UsageEvent[];
  state: 'off' | 'connecting' | 'live' | 'failed';
  error: string | null;
  /** Events that arrived since the feed was last shown. */
  unseen: number;
  markSeen(): void;
}

const KEEP = 200;

export function useUsageFeed(enabled: boolean): UsageFeed {
  const [events, setEvents] = useState<UsageEvent[]>([]);
  const [state, setState] = useState<UsageFeed['state']>('off');
  const [error, setError] = useState<string | null>(null);
  const [unseen, setUnseen] = useState(0);

  useEffect(() => {
    if (!enabled) return;
    setState('connecting');
    const stopFollowing = onConnection((connected) => setState((current) => (current === 'failed' ? current : connected ? 'live' : 'connecting')));
    const stop = subscribe<{ usageEvents: UsageEvent }>(
      USAGE_EVENTS,
      {},
      {
        next: ({ usageEvents }) => {
          setEvents((current) => [usageEvents, ...current].slice(0, KEEP));
          setUnseen((value) => value + 1);
        },
        error: (thrown) => {
          setState('failed');
          setError(thrown.message);
        },
        complete: () => setState('off'),
      },
    );
    return () => {
      stop();
      stopFollowing();
    };
  }, [enabled]);

  return { events, state, error, unseen, markSeen: () => setUnseen(0) };
}

export function LiveFeed(props: { feed: UsageFeed }) {
  const { feed } = props;
  useEffect(() => feed.markSeen(), [feed.events.length]);
  return (
    <section>
      <h2>
        Live feed <span class={`state ${feed.state}`}>{feed.state}</span>
      </h2>
      {feed.error && (
        <p class="error" role="alert">
          {feed.error}
        </p>
      )}
      {feed.events.length === 0 ? (
        <p class="muted">Waiting for requests… each one appears here once its usage is written.</p>
      ) : (
        <table class="list feed">
          <TableHead columns={['Time', 'Key', 'Model', 'Status', 'Tokens in / out', 'Cost', 'Latency']} />
          <tbody>
            {feed.events.map((event) => (
              <tr data-generation-id={event.id} data-model={event.model ?? event.requestedModel}>
                <td>{time(event.createdAt)}</td>
                <td>{event.key?.name ?? '—'}</td>
                <td>
                  {event.model ?? event.requestedModel}
                  {event.streamed && <span class="muted"> · stream</span>}
                </td>
                <td class={`status ${event.status.toLowerCase()}`}>{event.errorCode ?? event.status}</td>
                <td>
                  {count(event.usage.inputTokens)} / {count(event.usage.outputTokens)}
                </td>
                <td>{usd(event.cost)}</td>
                <td>{event.latencyMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
