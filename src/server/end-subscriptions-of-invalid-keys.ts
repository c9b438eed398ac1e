// Ends a subscription when its key is revoked, disabled or expires, over WebSocket and SSE alike:
// the operation's context.signal is also aborted then, with the UnauthenticatedError as its reason,
// and each subscription field ends with its terminal event (a ChatCompletionFailed, or an
// UNAUTHENTICATED error) when its signal aborts for a reason.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { signalWithWatch, type Authenticator } from '../core/auth.ts';
import type { GraphQLContext } from '../graphql/context.ts';

export function useEndSubscriptionsOfInvalidKeys(authenticator: Authenticator): Plugin<GraphQLContext> {
  return {
    onSubscribe({ context, extendContext }) {
      if (!context.caller) return undefined;
      const watch = authenticator.watch(context.caller);
      // A key that can never be ended (the admin key): no signal to join, nothing to release, and
      // no onEnd hook, which would wrap the stream in one more iterator for every event.
      if (!watch.signal) return undefined;
      extendContext({ signal: signalWithWatch(context.signal, watch) });
      return {
        onSubscribeResult({ result }) {
          // An error result (unauthorized, invalid arguments) has nothing to end later.
          if (!isAsyncIterable(result)) {
            watch.release();
            return undefined;
          }
          return { onEnd: () => watch.release() };
        },
        onSubscribeError: () => watch.release(),
      };
    },
  };
}
