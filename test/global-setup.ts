// Once before the suite: build dist/ exactly as `npm start` does, so the process tests run the
// files users run (test/helpers/spawn-server.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
}
