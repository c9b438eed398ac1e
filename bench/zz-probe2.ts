import { readFileSync, readdirSync } from 'node:fs';
import { startService, nodeScript, gatewayCore, loadCore, pinProcess } from './services.ts';
import autocannon from 'autocannon';
import { openAIRequestBody } from './bench-wire.ts';
pinProcess(process.pid, loadCore);
function threads(pid: number) {
  const out: Record<string, number[]> = {};
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const s = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
    const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    out[`${t}:${name}`] = [Number(f[11]), Number(f[12])];
  }
  return out;
}
function diff(a: Record<string, number[]>, b: Record<string, number[]>) {
  const r: Record<string, string> = {};
  for (const k of Object.keys(b)) { const x = a[k] ?? [0, 0]; const d = [b[k]![0]! - x[0]!, b[k]![1]! - x[1]!]; if (d[0] || d[1]) r[k] = `u${d[0]} s${d[1]}`; }
  return r;
}
const mock = await startService({ name: 'mock', command: nodeScript('bench/mock-upstream.ts'), core: loadCore, ready: { pattern: /listening (\d+)/ } });
const floor = await startService({ name: 'floor', command: nodeScript('bench/floor-proxy.ts', '--upstream', mock.url), core: gatewayCore, ready: { pattern: /listening (\d+)/ } });
let t = threads(floor.pid);
await new Promise((r) => setTimeout(r, 3000));
console.log('idle', diff(t, threads(floor.pid)));
for (const c of [1, 8]) {
  t = threads(floor.pid);
  const r = await autocannon({ url: `${floor.url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: openAIRequestBody(false), connections: c, duration: 3 });
  console.log(c, r.requests.total, diff(t, threads(floor.pid)));
}
t = threads(mock.pid);
const r = await autocannon({ url: `${mock.url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: openAIRequestBody(false), connections: 1, duration: 3 });
console.log('direct', r.requests.total, diff(t, threads(mock.pid)));
await floor.stop(); await mock.stop();
