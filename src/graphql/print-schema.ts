// `npm run schema:print`: writes schema.graphql (sorted) at the repository root.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSortedSchema } from './schema.ts';

const target = resolve(fileURLToPath(import.meta.url), '../../../schema.graphql');
writeFileSync(target, printSortedSchema());
console.log(`wrote ${target}`);
