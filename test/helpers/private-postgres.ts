// A PostgreSQL server of the test's own (initdb in a temporary folder, its own port), so that a
// reliability test can stop, restart and freeze the database without touching the shared server
// other suites use. Available where Debian's PostgreSQL binaries are installed (CI and dev
// machines); `privatePostgresAvailable` says whether they are. As root, the server runs as the
// `postgres` user (PostgreSQL refuses to run as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const binDir = findBinDir();
const isRoot = process.getuid?.() === 0;
const hasPostgresUser = !isRoot || spawnSync('id', ['postgres']).status === 0;

/** True when this machine can run a private PostgreSQL server for a test. */
export const privatePostgresAvailable = binDir !== null && hasPostgresUser;

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown: open connections are cut). */
  stop(): void;
  /** Starts it again on the same port and data folder. */
  start(): void;
  /** Stops then starts: a real restart, every connection cut. */
  restart(): void;
  /** SIGSTOP to every server process: connections stay open, nothing answers. */
  freeze(): void;
  /** SIGCONT: the frozen server answers again. */
  thaw(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

function run(command: string, args: string[]): void {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Creates, starts and returns a private PostgreSQL server (trust auth, 127.0.0.1 only). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!binDir) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'mg-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  if (isRoot) execFileSync('chown', ['postgres', dir]);
  run(join(binDir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n`,
  );
  const pgCtl = join(binDir, 'pg_ctl');
  const start = () => run(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = () => run(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  const pids = (): number[] => {
    // The postmaster's pid is the first line of postmaster.pid; the backends are its children.
    const pidFile = join(data, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    return [postmaster, ...children];
  };
  let running = false;
  start();
  running = true;
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      if (!running) return;
      stop();
      running = false;
    },
    start() {
      if (running) return;
      start();
      running = true;
    },
    restart() {
      server.stop();
      server.start();
    },
    freeze() {
      for (const pid of pids()) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of pids()) process.kill(pid, 'SIGCONT');
    },
    destroy() {
      try {
        server.thaw();
      } catch {
        // already gone
      }
      try {
        server.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
