import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** A PostgreSQL server of the test's own: a fresh cluster in a temporary folder, loopback only, gone when stopped. */
export interface PostgresServer {
  /** e.g. `postgresql://postgres@127.0.0.1:40123/postgres`. */
  url: string;
  /** A fast shutdown (`pg_ctl stop -m fast`): connections are cut, as in a database restart. */
  halt(): Promise<void>;
  /** Starts it again after `halt()`, on the same port, with its data. */
  start(): Promise<void>;
  /** Stops it and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** Debian installs the server's programs outside PATH, under /usr/lib/postgresql/<version>/bin. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((left, right) => Number(right) - Number(left));
  return versions.map((version) => join(root, version, 'bin')).find((folder) => existsSync(join(folder, 'initdb')));
}

/**
 * `initdb` and `postgres` in a temporary folder on a free port, with trust authentication and
 * fsync off (the tests need the behaviour, not the durability of a crash). PostgreSQL refuses to
 * run as root, so as root the cluster belongs to the `postgres` user Debian's package creates.
 * Tests never restart the machine's own server (other tests, or a user's data, may be on it).
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const binaries = postgresBinaries();
  if (!binaries) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql (Debian: apt-get install postgresql)');
  const directory = mkdtempSync(join(tmpdir(), 'aiops-postgres-'));
  const data = join(directory, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined;
  if (owner !== undefined) chownSync(directory, owner, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const run = (program: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(binaries, program), ...args]] : [join(binaries, program), args]) as [string, string[]];
  const [initdb, initdbArgs] = run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initdb, initdbArgs, { stdio: 'ignore' });
  const port = await freePort();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const [postgres, args] = run('postgres', ['-D', data, '-p', String(port), '-k', directory, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off']);
    const started = spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    started.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const killOnExit = () => started.kill('SIGKILL');
    process.once('exit', killOnExit);
    started.once('exit', () => process.removeListener('exit', killOnExit));
    child = started;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`postgres exited before it answered: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
      }
      if (Date.now() > deadline) throw new Error(`postgres on ${url} did not answer within 15 s: ${output.trim().split('\n').slice(-3).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const halt = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // A fast shutdown: clients are disconnected, the data kept. Through pg_ctl, since the child may be runuser, which does not pass signals on.
    const [pgCtl, args] = run('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w']);
    execFileSync(pgCtl, args, { stdio: 'ignore' });
    await exited;
  };

  await start();
  let stopped = false;
  return {
    url,
    halt,
    start,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await halt();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
