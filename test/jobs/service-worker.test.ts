import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { startServiceWorker } from '../../src/jobs/workers/service-worker.js';
import { createLogger } from '../../src/logger.js';
import { queueConnection } from '../../src/state/state.js';
import { TextCollector } from '../support/cli-harness.js';
import { testRedis } from '../support/test-redis.js';

const { url: REDIS_URL, redis, database } = await testRedis();
const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port), db: database, maxRetriesPerRequest: null };

afterAll(() => {
  redis.disconnect();
});

describe('a service worker', () => {
  it('fails a job no retry can mend at once, logged once as permanent, and retries one that may pass later', async () => {
    const queueName = `service-worker-${randomUUID()}`;
    const queues = queueConnection(connection, `test:${randomUUID()}:bull`);
    const queue = new Queue(queueName, queues);
    const events = new QueueEvents(queueName, queues);
    const calls = new Map<string, number>();
    const log = new TextCollector();
    const worker = startServiceWorker({
      queueName,
      connection: queues,
      logger: createLogger({ level: 'info', destination: log }),
      process: async (service) => {
        calls.set(service, (calls.get(service) ?? 0) + 1);
        if (service === 'billing') throw new AiopsError(ErrorCode.NotFound, 'prometheus: service "billing" is not in the catalogue');
        if (calls.get(service)! < 3) throw new Error('prometheus: 503 Service Unavailable');
      },
    });
    try {
      await events.waitUntilReady();
      const options = { attempts: 3, backoff: { type: 'fixed', delay: 10 } };
      const missing = await queue.add('detect', { service: 'billing' }, options);
      const flaky = await queue.add('detect', { service: 'cart' }, options);
      await expect(missing.waitUntilFinished(events, 10_000)).rejects.toThrow(/not in the catalogue/);
      await flaky.waitUntilFinished(events, 10_000);
      expect(calls.get('billing')).toBe(1);
      expect(calls.get('cart')).toBe(3);
      const failures = log.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; service?: string; permanent?: boolean });
      expect(failures.filter((line) => line.service === 'billing').map((line) => [line.msg, line.permanent])).toEqual([['job failed for good: not retried', true]]);
      expect(failures.filter((line) => line.service === 'cart').map((line) => line.msg)).toEqual(['job failed', 'job failed']);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
