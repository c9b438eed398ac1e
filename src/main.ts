// Entry point: read config, build the app, start; SIGTERM/SIGINT stop it gracefully.
import { buildApp } from './app/app.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { Logger } from './core/ports.ts';
import { loggerFor } from './app/logger.ts';

let logger: Logger | undefined;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({});
  } catch (error) {
    // Before there is a logger: one plain line per problem on stderr.
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(problem);
      process.exit(2);
    }
    throw error;
  }
  const log = (logger = await loggerFor(config));
  const app = await buildApp(config, { logger: log });
  await app.start();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: finishing in-flight requests`);
    try {
      await app.stop();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (logger) logger.error({ err: error }, `modelgraph failed to start: ${(error as Error).message}`);
  else console.error(`modelgraph failed to start: ${(error as Error).message}`);
  process.exit(1);
});
