// CPU time and peak memory of another process, read from /proc (Linux only): utime + stime of
// /proc/<pid>/stat cover every thread of the process (JS, GC helpers, libuv pool), and VmHWM of
// /proc/<pid>/status is its resident-set high-water mark, which `5 > clear_refs` resets.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ProcessFigures } from './load-commands.ts';

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time the process has used so far, in microseconds. */
export function cpuMicroseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after it are space separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (15) is fields[12].
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / clockTicksPerSecond();
}

function statusKilobytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** Peak resident set size in MB since the process started or since the last resetPeakRss. */
export function peakRssMegabytes(pid: number): number {
  return statusKilobytes(pid, 'VmHWM') / 1024;
}

export function rssMegabytes(pid: number): number {
  return statusKilobytes(pid, 'VmRSS') / 1024;
}

/** Resets VmHWM to the current RSS; false where the kernel or permissions do not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Time one core spent running processes (user, nice, system) or taken by the hypervisor (steal)
 * since boot, in microseconds, from /proc/stat. Interrupt and softirq time (loopback packet
 * delivery the gateway itself causes) is left out.
 */
export function coreBusyMicroseconds(core: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(`cpu${core} `));
  if (!line) return Number.NaN;
  // user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const ticks = user! + nice! + system! + (steal ?? 0);
  return (ticks * 1_000_000) / clockTicksPerSecond();
}

/** A CPU/RSS window over one measured run. */
export interface ProcessWindow {
  cpuMicroseconds: number;
  peakRssMegabytes: number;
  /** RSS when the window opened; peak minus this is what the workload added. */
  startRssMegabytes: number;
  peakResetWorked: boolean;
  /** Share of the process's core used by other processes during the window, in percent. */
  otherLoadPercent: number;
}

/** Opens a window on a process pinned to `core`; closing it returns what happened in between. */
export function openProcessWindow(pid: number | undefined, core: number): () => ProcessWindow | undefined {
  if (pid === undefined) return () => undefined;
  const peakResetWorked = resetPeakRss(pid);
  const startRssMegabytes = rssMegabytes(pid);
  const cpuBefore = cpuMicroseconds(pid);
  const coreBefore = coreBusyMicroseconds(core);
  const started = performance.now();
  return () => {
    const cpu = cpuMicroseconds(pid) - cpuBefore;
    const coreBusy = coreBusyMicroseconds(core) - coreBefore;
    const wallMicroseconds = (performance.now() - started) * 1000;
    return {
      cpuMicroseconds: cpu,
      peakRssMegabytes: peakRssMegabytes(pid),
      startRssMegabytes,
      peakResetWorked,
      otherLoadPercent: Math.max(0, (100 * (coreBusy - cpu)) / wallMicroseconds),
    };
  };
}

/** A closed window as reported figures (all null when there was no process to watch). */
export function processFigures(window: ProcessWindow | undefined): ProcessFigures {
  return {
    cpuMicroseconds: window?.cpuMicroseconds ?? null,
    peakRssMegabytes: window?.peakRssMegabytes ?? null,
    startRssMegabytes: window?.startRssMegabytes ?? null,
    otherLoadPercent: window?.otherLoadPercent ?? null,
    peakResetWorked: window?.peakResetWorked ?? null,
  };
}

/** The window's CPU per unit of work (request, event), or null without a window or any work done. */
export function cpuPer(window: ProcessWindow | undefined, count: number): number | null {
  return window && count > 0 ? window.cpuMicroseconds / count : null;
}
