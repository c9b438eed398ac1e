// Starting and stopping the benchmark's processes: each is pinned to a core with taskset (when the
// machine has it and two cores), logs are kept for error messages, and stop() waits for the exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
export const tsxLoader = `${repositoryRoot}node_modules/tsx/dist/loader.mjs`;

/** Gateways run on this core; the mock upstream, the load generator and the orchestrator on the other. */
export const gatewayCore = 0;
export const loadCore = 1;

export const canPin = availableParallelism() >= 2 && spawnSync('taskset', ['-V']).status === 0;

/** Moves a running process (all its threads) to one core, or to every core with `'all'`. */
export function pinProcess(pid: number, core: number | 'all'): boolean {
  if (!canPin) return false;
  const cores = core === 'all' ? `0-${availableParallelism() - 1}` : String(core);
  return spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' }).status === 0;
}

export interface Service {
  name: string;
  pid: number;
  port: number;
  url: string;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  /** The program and its arguments; node is process.execPath. */
  command: string[];
  core: number;
  env?: Record<string, string>;
  cwd?: string;
  /** A stdout line that announces the port, e.g. /listening (\d+)/ ; or a fixed port polled with GET. */
  ready: { pattern: RegExp } | { port: number; path: string };
  timeoutMs?: number;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const [program, ...args] = options.command;
  const command = canPin ? ['taskset', '-c', String(options.core), program!, ...args] : [program!, ...args];
  // taskset execs the program, so the child's pid is the program's own.
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd ?? repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (part: Buffer) => {
    output += part.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    });
    const ready = options.ready;
    if ('pattern' in ready) {
      const check = () => {
        const match = ready.pattern.exec(output);
        if (match) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', check);
    } else {
      const poll = async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${ready.port}${ready.path}`);
          await response.arrayBuffer();
          clearTimeout(timer);
          resolve(ready.port);
        } catch {
          setTimeout(poll, 100);
        }
      };
      void poll();
    }
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  return {
    name: options.name,
    pid: child.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    log: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function nodeScript(script: string, ...args: string[]): string[] {
  return [process.execPath, '--import', tsxLoader, `${repositoryRoot}${script}`, ...args];
}
