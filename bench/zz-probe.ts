import { startService, nodeScript, gatewayCore, loadCore, pinProcess } from './services.ts';
import { cpuMicroseconds } from './process-stats.ts';
import autocannon from 'autocannon';
import { openAIRequestBody } from './bench-wire.ts';
pinProcess(process.pid, loadCore);
const mock = await startService({ name: 'mock', command: nodeScript('bench/mock-upstream.ts'), core: loadCore, ready: { pattern: /listening (\d+)/ } });
const floor = await startService({ name: 'floor', command: nodeScript('bench/floor-proxy.ts', '--upstream', mock.url), core: gatewayCore, ready: { pattern: /listening (\d+)/ } });
for (const c of [1, 1, 64]) {
  const before = cpuMicroseconds(floor.pid);
  const r = await autocannon({ url: `${floor.url}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: openAIRequestBody(false), connections: c, duration: 3 });
  const cpu = cpuMicroseconds(floor.pid) - before;
  console.log(c, r.requests.total, r.latency.p50, r.latency.p99, (cpu / r.requests.total).toFixed(1), 'us/req');
}
await floor.stop(); await mock.stop();
