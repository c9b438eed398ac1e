// A database sweep on a timer (usage retention, expired stored responses): the first run after
// `firstAfterMs`, then every `intervalMs`, never two at once (a run asked for while one is under way
// joins it), a failure logged by `failed` and counted as 0, and `stop` waits for a run under way.
export interface PeriodicSweep {
  /** One sweep now (joins a sweep already running); resolves to the rows deleted. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

export function startPeriodicSweep(options: { sweep: () => Promise<number>; intervalMs: number; firstAfterMs: number; failed: (error: unknown) => void }): PeriodicSweep {
  let running: Promise<number> | null = null;
  const run = () => {
    running ??= options
      .sweep()
      .catch((error: unknown) => {
        options.failed(error);
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void run(), options.firstAfterMs);
  const every = setInterval(() => void run(), options.intervalMs);
  first.unref();
  every.unref();
  return {
    run,
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
