import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { MAINTENANCE_QUEUE } from '../../src/jobs/maintenance-jobs.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { startAiops, type AiopsProcess } from '../support/aiops-process.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * A Redis that comes back without its data (no volume, or a failover to a replica that had not
 * synced) has forgotten every job scheduler. `aiops start` (bot and worker in one process) on a
 * Redis of the test's own without persistence, the simulated shop at a minute a second: Redis is
 * killed and started again empty, and nobody restarts the bot. It notices within its 30-second
 * watch, sets the schedules again, and every service is scored again.
 */

const services = Object.keys(loadCatalogue(EXAMPLE_CATALOGUE_PATH).services);

let server: RedisServer;
let aiops: AiopsProcess;

beforeAll(async () => {
  server = await startRedisServer();
  aiops = await startAiops('start', { environment: { REDIS_URL: server.url, AIOPS_SIM_SPEED: '60', AIOPS_SIM_START: '2026-11-24T14:55:00Z' } });
}, 90_000);

afterAll(async () => {
  await aiops?.stop();
  await server?.stop();
}, 60_000);

/** Reads Redis with connections of its own, opened and closed around `read`, so nothing of the test's outlives the restart. */
async function withQueues<T>(read: (detection: Queue, maintenance: Queue) => Promise<T>): Promise<T> {
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const detection = new Queue(QUEUE_NAMES.detection, { connection: redis, prefix: 'aiops:bull' });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: 'aiops:bull' });
  try {
    return await read(detection, maintenance);
  } finally {
    await Promise.all([detection.close(), maintenance.close()]);
    redis.disconnect();
  }
}

const scoredSince = (since: number) => withQueues(async (detection) => new Set((await detection.getJobs(['completed'], 0, 99)).filter((job) => (job.finishedOn ?? 0) > since).map((job) => job.data.service)));

describe('Redis restarted empty under a running bot (issue 18)', () => {
  it('has its schedules set again by the bot, and every service scored again, with no restart', async () => {
    await until(async () => (await scoredSince(0)).size === services.length, 'every service scored before the restart', 60_000);

    await server.kill();
    await server.start();
    const restartedAt = Date.now();
    expect(await withQueues((detection) => detection.getJobSchedulersCount())).toBe(0);

    await until(() => aiops.logs().some((line) => line.msg === 'job schedules restored'), 'the bot restoring the schedules', 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${aiops.tail(20)}`);
    });
    expect(aiops.logs().filter((line) => line.msg?.startsWith('the job schedules are gone from Redis'))).toHaveLength(1);
    const [detectionSchedulers, maintenanceSchedulers] = await withQueues(async (detection, maintenance) => [await detection.getJobSchedulersCount(), (await maintenance.getJobSchedulers()).map((scheduler) => scheduler.key).sort()] as const);
    expect(detectionSchedulers).toBe(services.length);
    expect(maintenanceSchedulers).toEqual(['release', 'settle']);
    await until(async () => (await scoredSince(restartedAt)).size === services.length, 'every service scored after the restart', 45_000);
    expect(aiops.child.exitCode).toBeNull();
  }, 180_000);
});
