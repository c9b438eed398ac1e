import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (no exports map); Vite would pick the .mjs
    // build for our sources, giving two graphql realms in one process. Use Node's choice.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds dist/ once (scripts/build.mjs), which the process tests run as `npm start` does.
    globalSetup: ['test/global-setup.ts'],
  },
});
