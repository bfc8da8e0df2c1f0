import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { requireEmpty } from './global-redis.js';
import { startRedisServer } from './redis-server.js';
import { testRedis } from './test-redis.js';

/** The tests' promise to a developer: their Redis is never the one the developer was using. */
describe("the tests' own Redis", () => {
  const opened: Redis[] = [];
  afterAll(() => opened.forEach((client) => client.disconnect()));

  it('hands out a fresh database of a server that is not REDIS_URL nor 127.0.0.1:6379', async () => {
    const first = await testRedis();
    const second = await testRedis();
    opened.push(first.redis, second.redis);
    expect(first.database).not.toBe(second.database);
    expect(await first.redis.dbsize()).toBe(0);
    const port = new URL(first.url).port;
    expect(port).not.toBe('6379');
    if (process.env.REDIS_URL) expect(new URL(process.env.REDIS_URL).port || '6379').not.toBe(port);
    await first.redis.set('mine', '1');
    expect(await second.redis.get('mine')).toBeNull();
  });

  it('refuses a given server that holds keys it did not create, and takes an empty one', async () => {
    const server = await startRedisServer();
    const client = new Redis(`${server.url}/3`, { maxRetriesPerRequest: 1 });
    try {
      expect(await requireEmpty(server.url)).toBe(16);
      await client.set('someone-elses', 'data');
      await expect(requireEmpty(server.url)).rejects.toThrow(/^AIOPS_TEST_REDIS_URL \(redis:\/\/127\.0\.0\.1:\d+\): holds keys the tests did not create \(db3: 1 key\); give the tests an empty Redis of their own$/);
      expect(await client.get('someone-elses')).toBe('data');
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('can kill and restart a server of its own, which comes back empty on the same port', async () => {
    const server = await startRedisServer();
    try {
      const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      client.on('error', () => undefined);
      await client.set('before', '1');
      await server.kill();
      await expect(client.get('before')).rejects.toThrow();
      await server.start();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await client.get('before')).toBeNull();
      client.disconnect();
    } finally {
      await server.stop();
    }
  });
});
