import { startModelgraph } from './modelgraph-gateway.ts';
import { rssMegabytes, peakRssMegabytes } from './process-stats.ts';
import { readFileSync } from 'node:fs';
const mg = await startModelgraph({ upstreamPort: 9 });
console.log('rss', rssMegabytes(mg.pid), 'hwm', peakRssMegabytes(mg.pid));
console.log(readFileSync(`/proc/${mg.pid}/status`, 'utf8').split('\n').filter((l) => /^(Vm|Rss)/.test(l)).join('\n'));
const maps = readFileSync(`/proc/${mg.pid}/smaps_rollup`, 'utf8'); console.log(maps);
await mg.stop();
