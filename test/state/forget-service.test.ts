import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { createStores } from '../../src/state/stores.js';
import { catalogue } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();

afterAll(() => {
  redis.disconnect();
});

it('forgets what detection, training and log mining keep for a service gone from the catalogue, and nothing of the others', async () => {
  const prefix = `test:${randomUUID()}:`;
  const stores = createStores(redis, prefix, { catalogue });
  const kept = (service: string) => [`detection:${service}`, `model:${service}`, `active-anomalies:${service}`, `logs:cursor:${service}`, `logs:miner:${service}`, `logs:templates:${service}`];
  for (const service of ['billing', 'cart']) {
    for (const key of kept(service)) await redis.hset(`${prefix}${key}`, 'field', 'value');
  }
  await Promise.all([stores.detection.forget('billing'), stores.models.forget('billing'), stores.activeAnomalies.forget('billing'), stores.minedLogs.forget('billing')]);
  const left = (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort();
  expect(left).toEqual(kept('cart').sort());
  await redis.del(...left.map((key) => `${prefix}${key}`));
});
