import type { Redis } from 'ioredis';

/**
 * Claims a key once: true for the first caller, false for every later one until it expires.
 * Detection uses it so a retried or duplicated job never emits the same anomaly twice.
 */
export async function claimOnce(redis: Redis, key: string, ttlSeconds: number): Promise<boolean> {
  return (await redis.set(key, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
}

const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * A short lease so two workers never score the same service at once; released by its owner only.
 * While `work` runs the lease is renewed every third of its time, up to `holdMilliseconds` in all
 * (default: no renewal), so a process that dies frees it within `ttlMilliseconds`, while a slow
 * but live one keeps it; a pass that hangs past the hold lets the next one in.
 */
export async function withLease<T>(redis: Redis, key: string, ttlMilliseconds: number, work: () => Promise<T>, holdMilliseconds = ttlMilliseconds): Promise<{ ran: true; result: T } | { ran: false }> {
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  if ((await redis.set(key, token, 'PX', ttlMilliseconds, 'NX')) !== 'OK') return { ran: false };
  const renewUntil = Date.now() + holdMilliseconds - ttlMilliseconds;
  const renewal = setInterval(() => {
    if (Date.now() <= renewUntil) void redis.eval(RENEW, 1, key, token, ttlMilliseconds).catch(() => undefined);
  }, ttlMilliseconds / 3);
  renewal.unref();
  try {
    return { ran: true, result: await work() };
  } finally {
    clearInterval(renewal);
    // Delete only our own lease: if it expired and another worker took it, leave theirs alone.
    await redis.eval(RELEASE, 1, key, token);
  }
}
