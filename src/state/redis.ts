import { Redis } from 'ioredis';
import { AiopsError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

export interface RedisOptions {
  /** Key prefix for everything this process stores (default `aiops:`); tests use a random one. */
  prefix?: string;
}

/** A state command without an answer within this fails (ms): Redis answers in well under one. */
const REDIS_COMMAND_TIMEOUT_MILLISECONDS = 2_000;

/**
 * A Redis connection for state: the stores, on the paths that answer requests (webhooks, Slack).
 * A command fails rather than waits: after `REDIS_COMMAND_TIMEOUT_MILLISECONDS` without an answer
 * (a Redis that hangs), or once a reconnection attempt has failed (a Redis that is gone; ioredis's
 * default would queue it forever). A command in flight when the connection drops is not sent
 * again on the next one: its caller has been told it failed. ioredis still reconnects on its own.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, {
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
export function createQueueRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
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
 * Connects, or fails with one line naming REDIS_URL. The socket's own error is the reason given:
 * ioredis rejects with "Connection is closed", which says less than the refusal that closed it,
 * and prints an 'error' event nobody listens to with its stack.
 */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  let socketError: Error | undefined;
  const remember = (error: Error): void => {
    socketError ??= error;
  };
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const reason = socketError ?? (error as Error);
    throw new AiopsError(ErrorCode.SourceUnavailable, `redis: cannot connect to ${redactUrl(url)}: ${reason.message}`, {
      backend: 'redis',
      hint: 'check REDIS_URL and that Redis is running',
      cause: reason,
    });
  } finally {
    redis.off('error', remember);
  }
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
