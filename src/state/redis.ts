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

/** Connects, or fails with one line naming REDIS_URL. */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new AiopsError(ErrorCode.SourceUnavailable, `redis: cannot connect to ${redactUrl(url)}: ${(error as Error).message}`, {
      backend: 'redis',
      hint: 'check REDIS_URL and that Redis is running',
      cause: error,
    });
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
