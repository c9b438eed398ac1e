// The folder modelgraph is installed in: package.json, drizzle/ (migrations), console/dist.
// This module sits one level below it both when run from source (src/install-root.ts) and when
// built (dist/main.js or one of its chunks, see scripts/build.mjs), so paths are resolved from here.
import { fileURLToPath } from 'node:url';

export const INSTALL_ROOT = fileURLToPath(new URL('..', import.meta.url));
