// Builds the console into console/dist, served by modelgraph at /console. Beside the app it writes
// persisted-operations.json (sha256 -> document) so allowlist mode can admit the console's operations.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import * as operations from './src/operations.ts';

function persistedOperationsManifest(): Plugin {
  return {
    name: 'modelgraph-persisted-operations',
    generateBundle() {
      const documents: string[] = Object.values(operations);
      const manifest = Object.fromEntries(documents.map((document) => [createHash('sha256').update(document).digest('hex'), document]));
      this.emitFile({ type: 'asset', fileName: 'persisted-operations.json', source: `${JSON.stringify(manifest, null, 2)}\n` });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  plugins: [persistedOperationsManifest()],
});
