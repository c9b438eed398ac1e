// A view's error line and its changes: `act` runs a change, then reloads the view's data; it
// returns false when either failed, the error being shown.
import { useState } from 'preact/hooks';

export function useReloadingAction(load: () => Promise<unknown>) {
  const [error, setError] = useState<string | null>(null);
  async function act(action: () => Promise<unknown>): Promise<boolean> {
    setError(null);
    try {
      await action();
      await load();
      return true;
    } catch (thrown) {
      setError((thrown as Error).message);
      return false;
    }
  }
  return { error, setError, act };
}
