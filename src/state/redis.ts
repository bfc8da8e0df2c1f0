import { Redis } from 'ioredis';
import { AiopsError, ErrorCode } from '../errors.js';

export interface RedisOptions {
  /** Key prefix for everything this process stores (default `aiops:`); tests use a random one. */
  prefix?: string;
}

/**
 * A Redis connection for state and BullMQ. `maxRetriesPerRequest: null` is what BullMQ's blocking
 * connections require; ioredis then reconnects on its own while Redis restarts.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
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
