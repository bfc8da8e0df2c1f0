import { Redis, type RedisOptions as IoredisOptions } from 'ioredis';
import type { RedisConfig, RedisSentinelConfig } from '../config.js';
import { AiopsError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

export interface RedisOptions {
  /** Key prefix for everything this process stores (default `aiops:`); tests use a random one. */
  prefix?: string;
}

/** A state command without an answer within this fails (ms): Redis answers in well under one. */
const REDIS_COMMAND_TIMEOUT_MILLISECONDS = 2_000;

/**
 * Where Redis is: REDIS_URL alone (a string is taken as that), or with the sentinels to ask where
 * the master is (Config's `redis`).
 */
export type RedisConnection = RedisConfig | string;

function redisConfig(connection: RedisConnection): RedisConfig {
  return typeof connection === 'string' ? { url: connection } : connection;
}

/**
 * What ioredis needs, beside the URL, to reach the master through Sentinel. The URL still gives
 * the master's username, password, database number and TLS (ioredis reads them from it, as
 * without Sentinel); its host and port are unused. The sentinels are reached over plain TCP, with
 * their own password when they have one. A sentinel that hangs is given up after the command
 * timeout and the next one asked, instead of holding a reconnection forever.
 */
export function sentinelOptions(sentinel: RedisSentinelConfig, url: string): IoredisOptions {
  return {
    // Copies: ioredis may reorder and extend what it is given, and the config is frozen.
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinel.name,
    ...(sentinel.password === undefined ? {} : { sentinelPassword: sentinel.password }),
    sentinelCommandTimeout: REDIS_COMMAND_TIMEOUT_MILLISECONDS,
    // rediss: the master is reached over TLS; ioredis ignores `tls` with sentinels unless told.
    enableTLSForSentinelMode: new URL(url).protocol === 'rediss:',
  };
}

/** A client of the URL's Redis, or of the master the sentinels name; `options` are the connection's own. */
function newRedis(connection: RedisConnection, options: IoredisOptions): Redis {
  const { url, sentinel } = redisConfig(connection);
  return new Redis(url, sentinel === undefined ? options : { ...options, ...sentinelOptions(sentinel, url) });
}

/**
 * A Redis connection for state: the stores, on the paths that answer requests (webhooks, Slack).
 * A command fails rather than waits: after `REDIS_COMMAND_TIMEOUT_MILLISECONDS` without an answer
 * (a Redis that hangs), or once a reconnection attempt has failed (a Redis that is gone; ioredis's
 * default would queue it forever). A command in flight when the connection drops is not sent
 * again on the next one: its caller has been told it failed. ioredis still reconnects on its own.
 */
export function createRedis(connection: RedisConnection): Redis {
  return newRedis(connection, {
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MILLISECONDS,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true,
    lazyConnect: true,
  });
}

/**
 * A Redis connection for BullMQ's queues and workers, kept apart from state's: BullMQ's blocking
 * connections (duplicated from this one) require `maxRetriesPerRequest: null` and no command
 * timeout, and wait out a Redis restart on their own.
 */
export function createQueueRedis(connection: RedisConnection): Redis {
  return newRedis(connection, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
}

/**
 * Logs a connection lost once (a warning) and back once, instead of ioredis printing a stack for
 * every reconnection attempt. Callers learn of the outage from their commands failing.
 */
export function reportConnectionState(redis: Redis, logger: Pick<Logger, 'warn' | 'info'>, name: string): void {
  let lost = false;
  redis.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    logger.warn({ connection: name, error: error.message }, `redis: ${name} connection lost (${error.message}); reconnecting`);
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info({ connection: name }, `redis: ${name} connection back`);
  });
}

/** Key prefix of the bot's state: every role and command of one deployment shares it. */
export const KEY_PREFIX = 'aiops:';

/**
 * Connects, or fails with one line naming REDIS_URL, or REDIS_SENTINELS and the master's name with
 * Sentinel; never a password. The first error is the reason given: ioredis rejects with
 * "Connection is closed", which says less than the refusal that closed it, and prints an 'error'
 * event nobody listens to with its stack. With Sentinel it does not reject at all while no sentinel
 * knows the master (it asks them all again, forever), so that first error is also what ends the wait:
 * the sentinels have each been asked once. A sentinel's own complaint (no master by that name) says
 * more than ioredis' summary, and is preferred.
 */
export async function connectRedis(redis: Redis, connection: RedisConnection): Promise<void> {
  const { url, sentinel } = redisConfig(connection);
  let socketError: Error | undefined;
  const sentinelErrors: Error[] = [];
  let failed: (error: Error) => void = () => undefined;
  const firstError = new Promise<never>((_resolve, reject) => {
    failed = reject;
  });
  const remember = (error: Error): void => {
    socketError ??= error;
    failed(error);
  };
  const rememberSentinel = (error: Error): void => {
    sentinelErrors.push(error);
  };
  redis.on('error', remember);
  redis.on('sentinelError', rememberSentinel);
  try {
    const connected = redis.connect();
    // Settles after the race is decided when the first error wins it: that rejection is already told.
    connected.catch(() => undefined);
    firstError.catch(() => undefined);
    await Promise.race([connected, firstError]);
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = socketError ?? (error as Error);
    throw new AiopsError(ErrorCode.SourceUnavailable, `redis: ${unreachable(url, sentinel)}: ${describeReason(reason, sentinel, sentinelErrors)}`, {
      backend: 'redis',
      hint: sentinel === undefined ? 'check REDIS_URL and that Redis is running' : 'check REDIS_SENTINELS, REDIS_SENTINEL_NAME and that the sentinels and the master are running',
      cause: reason,
    });
  } finally {
    redis.off('error', remember);
    redis.off('sentinelError', rememberSentinel);
  }
}

function unreachable(url: string, sentinel: RedisSentinelConfig | undefined): string {
  if (sentinel === undefined) return `cannot connect to ${redactUrl(url)}`;
  const sentinels = sentinel.sentinels.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)).join(',');
  return `cannot reach the master "${sentinel.name}" through REDIS_SENTINELS ${sentinels}`;
}

/** How ioredis reports a sentinel that knows no master by that name: Redis 7's error, or older sentinels' empty reply. */
const NO_SUCH_MASTER = [
  /^failed to connect to sentinel (\S+) because ERR No such master with that name/,
  /^connected to sentinel (\S+) successfully, but got an invalid reply: null$/,
];
/** A sentinel down (ioredis asks it on a connection that does not retry, and keeps the refusal to itself). */
const SENTINEL_CLOSED = /^failed to connect to sentinel (\S+) because Connection is closed\.$/;

/**
 * When no sentinel gave the master's address, ioredis' summary ("All sentinels are unreachable.
 * Retrying …") says less than what the sentinels said: one that knows no master by that name is
 * told first, else the first sentinel's failure, in plainer words than ioredis' where they are vague.
 */
function describeReason(reason: Error, sentinel: RedisSentinelConfig | undefined, sentinelErrors: Error[]): string {
  if (sentinel === undefined || !reason.message.startsWith('All sentinels are unreachable')) return reason.message;
  for (const error of sentinelErrors) {
    const noMaster = NO_SUCH_MASTER.map((pattern) => pattern.exec(error.message)).find((match) => match !== null);
    if (noMaster) return `sentinel ${noMaster[1]} monitors no master named "${sentinel.name}"`;
  }
  const first = sentinelErrors[0];
  if (first === undefined) return reason.message;
  const closed = SENTINEL_CLOSED.exec(first.message);
  return closed ? `nothing answered at sentinel ${closed[1]} (connection refused or closed)` : first.message;
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
