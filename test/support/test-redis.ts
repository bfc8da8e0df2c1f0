import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The database of the tests' own Redis holding the allocation counter; tests get the others. */
export const COUNTER_DATABASE = 0;
export const ALLOCATION_KEY = 'aiops-test:allocated-databases';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>/<database>`: give it to the code under test as REDIS_URL. */
  url: string;
  /** A client on that database, for the test's own reads and writes. */
  redis: Redis;
  database: number;
}

/**
 * A fresh, empty database on the tests' own Redis (see `global-redis.ts`), never used by another
 * test in the run: a test may write and flush it as it likes. The client is closed by the test.
 */
export async function testRedis(): Promise<TestRedis> {
  const url = testRedisUrl();
  const counter = new Redis(`${url}/${COUNTER_DATABASE}`, { maxRetriesPerRequest: 1 });
  let database: number;
  try {
    database = await counter.incr(ALLOCATION_KEY);
  } finally {
    counter.disconnect();
  }
  const available = inject('testRedisDatabases');
  if (database >= available) {
    throw new Error(`the tests' Redis has ${available} databases and the run needs more; start it with --databases 64 or more`);
  }
  const databaseUrl = `${url}/${database}`;
  return { url: databaseUrl, redis: new Redis(databaseUrl, { maxRetriesPerRequest: 1 }), database };
}

/** The tests' own Redis server, without a database; only for code that picks its database itself. */
export function testRedisUrl(): string {
  const url = inject('testRedisUrl');
  if (!url) throw new Error('no test Redis: run the tests through vitest (vitest.config.ts sets up their own Redis)');
  return url;
}

/**
 * Deletes the keys matching `pattern` (default the bot's, `aiops:*`) in the database `redis` is on:
 * what a test that runs the bot twice clears between runs, rather than emptying the whole database.
 */
export async function deleteKeys(redis: Redis, pattern = 'aiops:*'): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
