import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { loadConfig, type RedisConfig } from '../../src/config.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { silentLogger } from '../../src/logger.js';
import { connectRedis, createQueueRedis, createRedis, KEY_PREFIX } from '../../src/state/redis.js';
import { openState, queueConnection, type State } from '../../src/state/state.js';
import { T0, catalogue, managerAlert } from '../alerts/builders.js';
import { createHarness, type Run } from '../support/cli-harness.js';
import { skipWithoutSentinel, startRedisSentinel, type RedisSentinel } from '../support/redis-sentinel.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * The bot reaching Redis through Sentinel, against real processes: a redis-server as the master and
 * `redis-server --sentinel` watching it, both the tests' own (never the Redis at 127.0.0.1:6379).
 */
const MASTER_NAME = 'aiops-master';
const SENTINEL_PASSWORD = 'sentinel-secret-1234';
const MASTER_PASSWORD = 'bot-secret-5678';
/** The master's user, password and database from REDIS_URL; its host is unused with Sentinel, so it names none that exists. */
const REDIS_URL = `redis://bot:${MASTER_PASSWORD}@unused.invalid:1/3`;
/** A port nothing listens on: a sentinel that is down. */
const DOWN = '127.0.0.1:1';

const skipped = skipWithoutSentinel('Redis Sentinel tests');
let master: RedisServer;
let otherMaster: RedisServer;
let sentinel: RedisSentinel;
let guardedSentinel: RedisSentinel;
/** Direct connections to the masters' database 3, for checking where things landed. */
let direct: Redis;
let otherDirect: Redis;
const opened: State[] = [];

function sentinelEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL, REDIS_SENTINELS: `${DOWN},${sentinel.address}`, REDIS_SENTINEL_NAME: MASTER_NAME, LOG_LEVEL: 'fatal', ...overrides };
}

function redisConfig(overrides: Record<string, string> = {}): RedisConfig {
  return loadConfig(sentinelEnvironment(overrides), { stdoutIsTerminal: false }).redis;
}

async function open(redis: RedisConfig, options: { queues?: boolean } = {}): Promise<State> {
  const state = await openState({ redis, catalogue, logger: silentLogger(), scratch: 'sentinel-test', ...options });
  opened.push(state);
  return state;
}

async function openFailure(redis: RedisConfig): Promise<AiopsError> {
  const failure = await openState({ redis, catalogue, logger: silentLogger() }).then(
    () => new Error('expected openState to fail'),
    (error: unknown) => error,
  );
  if (!(failure instanceof AiopsError)) throw failure;
  return failure;
}

async function aiops(argv: string[], environment: Record<string, string>): Promise<Run> {
  const harness = createHarness(environment);
  const exitCode = await runCli(argv, harness.context);
  return { exitCode, stdout: harness.stdout.text, stderr: harness.stderr.text };
}

beforeAll(async () => {
  if (skipped) return;
  [master, otherMaster] = await Promise.all([startRedisServer(), startRedisServer()]);
  // The bot's own user, as a managed Redis has; the sentinels use the default one.
  for (const server of [master, otherMaster]) {
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await admin.call('ACL', 'SETUSER', 'bot', 'on', `>${MASTER_PASSWORD}`, '~*', '&*', '+@all');
    admin.disconnect();
  }
  [sentinel, guardedSentinel] = await Promise.all([
    startRedisSentinel({ name: MASTER_NAME, masterPort: master.port }),
    startRedisSentinel({ name: MASTER_NAME, masterPort: master.port, password: SENTINEL_PASSWORD }),
  ]);
  direct = new Redis(`${master.url}/3`, { maxRetriesPerRequest: 1 });
  otherDirect = new Redis(`${otherMaster.url}/3`, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  for (const state of opened) await state.close().catch(() => undefined);
  direct?.disconnect();
  otherDirect?.disconnect();
  await Promise.all([sentinel?.stop(), guardedSentinel?.stop()]);
  await Promise.all([master?.stop(), otherMaster?.stop()]);
});

describe.skipIf(skipped)('Redis through Sentinel', () => {
  it('gives ioredis the sentinels and the master group beside the URL, keeping every option of both connections', () => {
    const redis = redisConfig({ REDIS_URL: `rediss://bot:${MASTER_PASSWORD}@unused.invalid:1/3`, REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD });
    const state = createRedis(redis);
    const queue = createQueueRedis(redis);
    try {
      for (const client of [state, queue]) {
        expect(client.options).toMatchObject({
          sentinels: [
            { host: '127.0.0.1', port: 1 },
            { host: '127.0.0.1', port: sentinel.port },
          ],
          name: MASTER_NAME,
          sentinelPassword: SENTINEL_PASSWORD,
          username: 'bot',
          password: MASTER_PASSWORD,
          db: 3,
          enableTLSForSentinelMode: true,
          sentinelCommandTimeout: 2_000,
          enableReadyCheck: true,
          lazyConnect: true,
        });
        expect(client.options.tls).toBeTruthy();
      }
      expect(state.options).toMatchObject({ maxRetriesPerRequest: 1, commandTimeout: 2_000, autoResendUnfulfilledCommands: false });
      expect(queue.options.maxRetriesPerRequest).toBeNull();
      expect(queue.options.commandTimeout).toBeUndefined();
      // Without Sentinel: none of it.
      expect(createRedis({ url: REDIS_URL }).options.sentinels).toBeNull();
    } finally {
      state.disconnect();
      queue.disconnect();
    }
  });

  it('openState stores and reads state on the master the sentinel names, past a sentinel that is down', async () => {
    const state = await open(redisConfig(), { queues: true });
    const [change] = await state.stores.incidents.ingest(
      [managerAlert({ fingerprint: 'sentinel-1', status: 'firing', startsAt: T0, receivedAt: T0, service: 'cart' })],
      T0,
    );
    expect(change?.kind).toBe('opened');
    const id = change!.incidentId!;
    await state.stores.silences.add({ target: 'cart', until: T0 + 3_600_000, by: 'U1', createdAt: T0, reason: 'through Sentinel' }, T0);
    expect((await state.stores.incidents.get(id))?.services).toEqual(['cart']);
    expect((await state.stores.silences.activeFor(['cart'], T0)).get('cart')?.reason).toBe('through Sentinel');
    // On the master itself, in REDIS_URL's database, under the state's namespace.
    const keys = await direct.keys(`${state.namespace}*`);
    expect(keys).toContain(`${state.namespace}silence:cart`);
    expect(keys.some((key) => key.startsWith(`${state.namespace}incident`))).toBe(true);
    // BullMQ's connection too.
    const queue = new Queue('sentinel-test', state.queueConnection!);
    await queue.add('probe', { through: 'sentinel' });
    await queue.close();
    expect(await direct.exists(`${state.namespace}bull:sentinel-test:meta`)).toBe(1);
  });

  it('finds the master anew after a failover: a reconnection asks the sentinels again', async () => {
    const state = await open(redisConfig());
    await state.stores.silences.add({ target: 'payment', until: T0 + 3_600_000, by: 'U1', createdAt: T0, reason: 'before' }, T0);
    expect(await direct.exists(`${state.namespace}silence:payment`)).toBe(1);
    // The sentinel now names the other master, and the old one goes away, as a promotion leaves it.
    await sentinel.admin.call('SENTINEL', 'REMOVE', MASTER_NAME);
    await sentinel.admin.call('SENTINEL', 'MONITOR', MASTER_NAME, '127.0.0.1', String(otherMaster.port), '1');
    try {
      await direct.client('KILL', 'USER', 'bot');
      await until(async () => {
        try {
          await state.stores.silences.add({ target: 'payment', until: T0 + 3_600_000, by: 'U1', createdAt: T0, reason: 'after' }, T0);
          return (await otherDirect.exists(`${state.namespace}silence:payment`)) === 1;
        } catch {
          return false;
        }
      }, 'a write on the new master');
    } finally {
      await sentinel.admin.call('SENTINEL', 'REMOVE', MASTER_NAME);
      await sentinel.admin.call('SENTINEL', 'MONITOR', MASTER_NAME, '127.0.0.1', String(master.port), '1');
    }
    expect((await state.stores.silences.activeFor(['payment'], T0)).get('payment')?.reason).toBe('after');
    await otherDirect.flushdb();
  });

  it('uses REDIS_SENTINEL_PASSWORD with a sentinel that requires auth, and says so in one line without it, printing no password', async () => {
    const state = await open(redisConfig({ REDIS_SENTINELS: guardedSentinel.address, REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD }));
    expect((await state.ping()).ok).toBe(true);
    const failure = await openFailure(redisConfig({ REDIS_SENTINELS: guardedSentinel.address }));
    expect(failure.code).toBe(ErrorCode.SourceUnavailable);
    expect(failure.message).toMatch(new RegExp(`^redis: cannot reach the master "${MASTER_NAME}" through REDIS_SENTINELS ${guardedSentinel.address}: .*NOAUTH`));
    expect(failure.toOneLine()).not.toContain('\n');
    expect(failure.toOneLine()).not.toContain(MASTER_PASSWORD);
  });

  it('a wrong master name fails in one line naming REDIS_SENTINELS and what the sentinel said', async () => {
    const failure = await openFailure(redisConfig({ REDIS_SENTINELS: sentinel.address, REDIS_SENTINEL_NAME: 'no-such-master' }));
    expect(failure.code).toBe(ErrorCode.SourceUnavailable);
    expect(failure.toOneLine()).toBe(
      `redis: cannot reach the master "no-such-master" through REDIS_SENTINELS ${sentinel.address}: sentinel ${sentinel.address} monitors no master named "no-such-master" (check REDIS_SENTINELS, REDIS_SENTINEL_NAME and that the sentinels and the master are running)`,
    );
  });

  it('sentinels that are all down fail in one line, soon, instead of waiting forever as ioredis would', async () => {
    const redis = redisConfig({ REDIS_SENTINELS: DOWN });
    const client = createRedis(redis);
    const started = Date.now();
    const failure = await connectRedis(client, redis).then(
      () => new Error('expected connectRedis to fail'),
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((failure as Error).message).toBe(`redis: cannot reach the master "${MASTER_NAME}" through REDIS_SENTINELS ${DOWN}: nothing answered at sentinel ${DOWN} (connection refused or closed)`);
    expect(client.status).not.toBe('ready');
  });
});

describe.skipIf(skipped)('aiops jobs through Sentinel', () => {
  it('reads the queues on the master the sentinels name', async () => {
    // A job queued on the master directly, as the bot's scheduler would.
    const producer = new Redis(`${master.url}/3`, { maxRetriesPerRequest: null, username: 'bot', password: MASTER_PASSWORD });
    const queue = new Queue(QUEUE_NAMES.forecast, queueConnection(producer, KEY_PREFIX));
    try {
      await queue.add('forecast', { service: 'cart', signal: 'memory' });
      const result = await aiops(['jobs', '--queue', 'forecast', '--json'], sentinelEnvironment());
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as { queues: Array<{ queue: string; counts: { waiting: number } }> };
      expect(report.queues).toEqual([expect.objectContaining({ queue: QUEUE_NAMES.forecast, counts: expect.objectContaining({ waiting: 1 }) })]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      producer.disconnect();
    }
  });

  it('names REDIS_SENTINELS in one line when the master name is wrong', async () => {
    const result = await aiops(['jobs'], sentinelEnvironment({ REDIS_SENTINEL_NAME: 'no-such-master' }));
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^aiops: redis: cannot reach the master "no-such-master" through REDIS_SENTINELS 127\.0\.0\.1:1,127\.0\.0\.1:\d+: sentinel 127\.0\.0\.1:\d+ monitors no master named "no-such-master"/);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).not.toContain(MASTER_PASSWORD);
  });

  it('refuses a bad REDIS_SENTINELS entry in one line before connecting', async () => {
    const result = await aiops(['jobs'], sentinelEnvironment({ REDIS_SENTINELS: `${sentinel.address},sentinel-1` }));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'aiops: REDIS_SENTINELS: expected a comma-separated list of host:port (port 1 to 65535), like sentinel-0:26379,sentinel-1:26379; got "sentinel-1"\n',
    );
  });
});
