import type { Redis } from 'ioredis';

/**
 * Claims a key once: true for the first caller, false for every later one until it expires.
 * Detection uses it so a retried or duplicated job never emits the same anomaly twice.
 */
export async function claimOnce(redis: Redis, key: string, ttlSeconds: number): Promise<boolean> {
  return (await redis.set(key, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
}

/** A short lease so two workers never score the same service at once; released by its owner only. */
export async function withLease<T>(redis: Redis, key: string, ttlMilliseconds: number, work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  if ((await redis.set(key, token, 'PX', ttlMilliseconds, 'NX')) !== 'OK') return { ran: false };
  try {
    return { ran: true, result: await work() };
  } finally {
    // Delete only our own lease: if it expired and another worker took it, leave theirs alone.
    await redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, key, token);
  }
}
