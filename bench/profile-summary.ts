// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: the top functions by
// self time and the same time grouped by package (node_modules/<name>), project file (src/...)
// or Node internals. Idle time is left out of the percentages.
// Usage: node --import tsx/loader bench/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  functions: ProfileLine[];
  groups: ProfileLine[];
}

function shortLocation(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nodeModules = path.lastIndexOf('/node_modules/');
  if (nodeModules !== -1) return path.slice(nodeModules + '/node_modules/'.length);
  const source = path.lastIndexOf('/src/');
  if (source !== -1) return path.slice(source + 1);
  return path;
}

function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native/V8 builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const location = shortLocation(url);
  if (url.includes('/node_modules/')) {
    const parts = location.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (location.startsWith('src/')) return location;
  return location;
}

/** Monotonic-clock intervals in microseconds (process.hrtime.bigint() / 1000n is the same clock as V8's). */
export type TimeWindow = readonly [startMicroseconds: number, endMicroseconds: number];

/** Self time per function; with `windows`, only samples taken inside them count (startup left out). */
export function summarizeProfile(profile: CpuProfile, top = 20, windows?: readonly TimeWindow[]): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByNode = new Map<number, number>();
  let timestamp = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = profile.timeDeltas[i] ?? 0;
    timestamp += delta;
    if (windows && !windows.some(([start, end]) => timestamp >= start && timestamp <= end)) continue;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, { name: string; where: string; micros: number }>();
  const groups = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfByNode) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${shortLocation(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
    const group = groupOf(frame.url, frame.functionName);
    groups.set(group, (groups.get(group) ?? 0) + micros);
  }
  const busy = total - idle;
  const line = (name: string, where: string, micros: number): ProfileLine => ({
    name,
    where,
    selfMs: micros / 1000,
    percent: busy > 0 ? (100 * micros) / busy : 0,
  });
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: [...functions.values()].sort((a, b) => b.micros - a.micros).slice(0, top).map((f) => line(f.name, f.where, f.micros)),
    groups: [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, micros]) => line(name, '', micros)),
  };
}

export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const lines = [
    `#### ${title}`,
    '',
    `Busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms sampled (idle left out of the percentages).`,
    '',
    '| self % | self ms | function | where |',
    '|---:|---:|---|---|',
    ...summary.functions.map((f) => `| ${f.percent.toFixed(1)} | ${f.selfMs.toFixed(0)} | \`${f.name}\` | ${f.where} |`),
    '',
    '| self % | by package or file |',
    '|---:|---|',
    ...summary.groups.map((g) => `| ${g.percent.toFixed(1)} | ${g.name} |`),
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(profileMarkdown(summarizeProfile(profile, Number(process.argv[3] ?? 25)), file));
}
