// `npm install` builds the console (the `prepare` script). A production install without dev
// dependencies has no vite: then the console is not built and /console says how to build it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
try {
  require.resolve('vite');
} catch {
  console.log('modelgraph: vite is not installed (dev dependencies omitted?), so the web console was not built; run `npm run console:build` where it is.');
  process.exit(0);
}
const { build } = await import('vite');
await build({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)), logLevel: 'warn' });
console.log('modelgraph: web console built into console/dist');
