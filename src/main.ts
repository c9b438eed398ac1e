// Entry point: read config, build the app, start; SIGTERM/SIGINT stop it gracefully.
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { PROVIDER_KIND_NAMES } from './providers/registry.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ knownKinds: PROVIDER_KIND_NAMES });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(problem);
      process.exit(2);
    }
    throw error;
  }
  const app = await buildApp(config);
  await app.start();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing in-flight requests`);
    try {
      await app.stop();
      process.exit(0);
    } catch (error) {
      console.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`modelgraph failed to start: ${(error as Error).message}`);
  process.exit(1);
});
