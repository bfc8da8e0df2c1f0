import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { createQueues, type Queues } from '../../src/jobs/queues.js';
import { queueConnection, type QueueConnection } from '../../src/state/state.js';
import { testRedis } from './test-redis.js';

export interface QueueTest {
  /** The test's own key prefix, fresh for each test. */
  prefix: () => string;
  queues: () => Queues;
  /** The queues' connection under this test's prefix, for workers. */
  connection: () => QueueConnection;
  /** Closed after the test, last added first. */
  closeAfter: (close: () => Promise<void>) => void;
  redis: Awaited<ReturnType<typeof testRedis>>['redis'];
}

/**
 * BullMQ queues on the tests' own Redis, a unique prefix per test (as bullmq's own tests do): the
 * hooks are registered here, and everything under the prefix is deleted after each test.
 */
export async function useQueueTest(): Promise<QueueTest> {
  const { url, redis, database } = await testRedis();
  const options = { host: '127.0.0.1', port: Number(new URL(url).port), db: database, maxRetriesPerRequest: null };
  let prefix = '';
  let queues: Queues | undefined;
  const closers: Array<() => Promise<void>> = [];
  beforeEach(() => {
    prefix = `test:${randomUUID()}:`;
    const opened = createQueues(queueConnection(options, prefix));
    queues = opened;
    closers.push(() => opened.close());
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });
  return {
    prefix: () => prefix,
    queues: () => queues!,
    connection: () => queueConnection(options, prefix),
    closeAfter: (close) => void closers.push(close),
    redis,
  };
}
