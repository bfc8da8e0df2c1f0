import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** A `redis-server` of the tests' own: nothing on disk, loopback only, gone when stopped. */
export interface RedisServer {
  /** e.g. `redis://127.0.0.1:40123` (database 0; append `/N` for another). */
  url: string;
  port: number;
  /** SIGKILL, as a crash would; `start()` again brings up an empty server on the same port (unless persistent). */
  kill(): Promise<void>;
  /** Starts it again after `kill()`, on the same port. */
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing, like a hung Redis or a network partition. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops it and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** `--databases` (Redis' default is 16). */
  databases?: number;
  /**
   * Keep every acknowledged write across `kill()` and `start()`: an append-only file fsynced before
   * each reply (`--appendonly yes --appendfsync always`), as a Redis with a persistent volume. Default false.
   */
  persistent?: boolean;
}

export const REDIS_SERVER_HINT =
  "the tests start their own redis-server: install it (Debian: apt-get install redis-server) or set AIOPS_TEST_REDIS_URL to an empty Redis the tests may own";

/**
 * Starts `redis-server --port <free port> --save "" --appendonly no` in a temporary folder. Fault
 * tests use it directly to kill and restart a Redis; every other test reaches the one the global
 * set-up started through `testRedis()`.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const directory = await mkdtemp(join(tmpdir(), 'aiops-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', directory, '--loglevel', 'warning'];
    if (options.databases !== undefined) args.push('--databases', String(options.databases));
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
    started.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
    const failed = new Promise<Error>((resolve) => {
      started.once('error', (error: NodeJS.ErrnoException) =>
        resolve(new Error(error.code === 'ENOENT' ? `redis-server not found on PATH; ${REDIS_SERVER_HINT}` : `redis-server: ${error.message}`)),
      );
      started.once('exit', (code) => resolve(new Error(`redis-server exited (${code}) before it answered: ${output.trim().split('\n').slice(-3).join(' | ')}`)));
    });
    // A test runner that dies without stopping it must not leave a server behind.
    const killOnExit = () => started.kill('SIGKILL');
    process.once('exit', killOnExit);
    started.once('exit', () => process.removeListener('exit', killOnExit));
    child = started;
    const outcome = await Promise.race([waitForPing(url), failed]);
    if (outcome instanceof Error) throw outcome;
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };

  await launch().catch(async (error: unknown) => {
    await kill();
    await rm(directory, { recursive: true, force: true });
    throw error;
  });
  let stopped = false;
  return {
    url,
    port,
    kill,
    start: launch,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await kill();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function waitForPing(url: string): Promise<true> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return true;
    } catch {
      // Not listening yet.
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server on ${url} did not answer within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The Redis a benchmark or the eval runner uses: the one named by `--redis` when given, else a
 * private `redis-server` started for the run and stopped with it, so that running a benchmark
 * next to a Redis holding real data never writes to it.
 */
export async function benchmarkRedis(given: string | undefined): Promise<{ url: string; stop: () => Promise<void> }> {
  if (given) return { url: given, stop: async () => undefined };
  const server = await startRedisServer();
  return { url: `${server.url}/1`, stop: server.stop };
}
