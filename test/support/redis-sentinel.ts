import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { REDIS_SERVER_HINT } from './redis-server.js';

/** A Redis Sentinel of the tests' own, watching one master: loopback only, gone when stopped. */
export interface RedisSentinel {
  port: number;
  /** `127.0.0.1:<port>`, as REDIS_SENTINELS lists it. */
  address: string;
  /** A client of the sentinel itself (SENTINEL commands), closed by `stop()`. */
  admin: Redis;
  /** Stops it and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisSentinelOptions {
  /** The master group name (`sentinel monitor <name> …`). */
  name: string;
  /** The master's port on 127.0.0.1. */
  masterPort: number;
  /** `requirepass`: clients of the sentinel must AUTH with it. Default none. */
  password?: string;
}

/**
 * What Sentinel tests need beyond the Redis every test has: `redis-server` on PATH, which runs as a
 * sentinel with `--sentinel` (every Redis since 2.8). A run that uses AIOPS_TEST_REDIS_URL may have
 * none. Skipped with one line saying why, as `skipWithout` in requirements.ts does; failed instead
 * when AIOPS_TEST_REQUIRE names `sentinel`.
 */
export function skipWithoutSentinel(what: string): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    const reason = `redis-server is not on PATH to run as a sentinel; ${REDIS_SERVER_HINT}`;
    const required = (process.env.AIOPS_TEST_REQUIRE ?? '').split(',').map((name) => name.trim());
    if (required.includes('sentinel')) throw new Error(`${what}: ${reason}, and AIOPS_TEST_REQUIRE names sentinel`);
    console.warn(`skipped: ${what}: ${reason}`);
    return true;
  }
}

/**
 * Starts `redis-server <config> --sentinel` on a free port, in a temporary folder that also holds
 * its config file (a sentinel rewrites it), monitoring the master with a quorum of 1. Resolves once
 * the sentinel names the master's address.
 */
export async function startRedisSentinel(options: RedisSentinelOptions): Promise<RedisSentinel> {
  const directory = await mkdtemp(join(tmpdir(), 'aiops-sentinel-'));
  const port = await freePort();
  const configPath = join(directory, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${directory}`,
    'loglevel warning',
    `sentinel monitor ${options.name} 127.0.0.1 ${options.masterPort} 1`,
    ...(options.password === undefined ? [] : [`requirepass ${options.password}`]),
  ];
  await writeFile(configPath, `${lines.join('\n')}\n`);
  const child = spawn('redis-server', [configPath, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  // A test runner that dies without stopping it must not leave a sentinel behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const admin = new Redis({ host: '127.0.0.1', port, password: options.password, lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    admin.disconnect();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  };

  const failed = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(new Error(error.code === 'ENOENT' ? `redis-server not found on PATH; ${REDIS_SERVER_HINT}` : `redis-server --sentinel: ${error.message}`)),
    );
    child.once('exit', (code) => resolve(new Error(`redis-server --sentinel exited (${code}) before it answered: ${output.trim().split('\n').slice(-3).join(' | ')}`)));
  });
  const outcome = await Promise.race([waitForMaster(admin, options.name, port), failed]);
  if (outcome instanceof Error) {
    await stop();
    throw outcome;
  }
  return { port, address: `127.0.0.1:${port}`, admin, stop };
}

async function waitForMaster(admin: Redis, name: string, port: number): Promise<true | Error> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (admin.status === 'end') return new Error(`sentinel on port ${port} stopped`);
    try {
      if (admin.status === 'wait') await admin.connect();
      const address = await admin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
      if (Array.isArray(address)) return true;
    } catch {
      // Not listening yet; ioredis reconnects by itself.
    }
    if (Date.now() > deadline) return new Error(`sentinel on port ${port} did not name master "${name}" within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
