import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { startServiceWorker } from '../../src/jobs/workers/service-worker.js';
import { startWorkers } from '../../src/jobs/workers/start-workers.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { SimulatedLogReader } from '../../src/sources/sim/sim-log-reader.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { parseQueueConcurrency, parseQueueRateLimits, parseWorkerQueues } from '../../src/worker-queues.js';
import { until } from '../support/until.js';
import { useQueueTest } from '../support/queue-test.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { prefix, queues, connection, closeAfter, redis } = await useQueueTest();

describe('worker settings', () => {
  it('read queue lists, concurrency and rate limits as users write them', () => {
    expect(parseWorkerQueues('detection, logs', '--queues')).toEqual(['detection', 'logs']);
    expect(parseQueueConcurrency('detection=8,training=1', 'AIOPS_WORKER_CONCURRENCY')).toEqual({ detection: 8, training: 1 });
    expect(parseQueueRateLimits('forecast=30/1m, healing=5/30s', 'AIOPS_QUEUE_RATE_LIMITS')).toEqual({
      forecast: { max: 30, durationMilliseconds: 60_000 },
      healing: { max: 5, durationMilliseconds: 30_000 },
    });
    expect(() => parseQueueConcurrency('detection=8=9', 'AIOPS_WORKER_CONCURRENCY')).toThrow(/AIOPS_WORKER_CONCURRENCY: .*got "detection=8=9"/);
    expect(() => parseQueueRateLimits('forecast=1/500ms', 'AIOPS_QUEUE_RATE_LIMITS')).toThrow(/got "forecast=1\/500ms"/);
  });
});

describe('a worker process given some queues (aiops worker --queues)', () => {
  it('works on the queues it was given and leaves the others to other processes', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
    const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
    const incidents = { anomalyRaised: async () => undefined, anomalyOngoing: async () => undefined, anomalyRecovered: async () => undefined };
    const workers = startWorkers({
      connection: connection(),
      sources: { ...sources, logReader: new SimulatedLogReader(sources.world!) },
      stores: createStores(redis, prefix(), { catalogue }),
      catalogue,
      incidents,
      now: () => clock.now(),
      logger: silentLogger(),
      settings: { queues: ['logs'], concurrency: {}, rateLimits: {} },
    });
    closeAfter(() => Promise.all(workers.map((worker) => worker.close())).then(() => undefined));
    expect(workers.map((worker) => worker.name)).toEqual([QUEUE_NAMES.logs]);

    const detection = await queues().detection.add('detect', { service: 'payment' });
    const logs = await queues().logs.add('logs', { service: 'payment' });
    await until(async () => ['completed', 'failed'].includes(await logs.getState()), 'the log-mining job done', 30_000);
    const done = await queues().logs.getJob(logs.id!);
    expect(done?.failedReason, done?.stacktrace?.join()).toBeUndefined();
    expect(await detection.getState()).toBe('waiting');
  });

  it('starts a log-mining job only once the detection passes it shares the process with are done', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 12, 0, 0));
    const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
    let releaseMetrics!: () => void;
    const metricsHeld = new Promise<void>((resolve) => (releaseMetrics = resolve));
    // The pass reads its metrics first: held there, it stays in hand until released.
    const metrics = Object.assign(Object.create(sources.metrics) as typeof sources.metrics, {
      range: async (...args: Parameters<typeof sources.metrics.range>) => {
        await metricsHeld;
        return sources.metrics.range(...args);
      },
    });
    const workers = startWorkers({
      connection: connection(),
      sources: { ...sources, metrics, logReader: new SimulatedLogReader(sources.world!) },
      stores: createStores(redis, prefix(), { catalogue }),
      catalogue,
      incidents: { anomalyRaised: async () => undefined, anomalyOngoing: async () => undefined, anomalyRecovered: async () => undefined },
      now: () => clock.now(),
      logger: silentLogger(),
      settings: { queues: ['detection', 'logs'], concurrency: {}, rateLimits: {} },
    });
    closeAfter(() => Promise.all(workers.map((worker) => worker.close())).then(() => undefined));

    const detection = await queues().detection.add('detect', { service: 'payment' });
    await until(async () => (await detection.getState()) === 'active', 'the detection pass in hand', 10_000);
    const logs = await queues().logs.add('logs', { service: 'payment' });
    await until(async () => (await logs.getState()) === 'active', 'the log-mining job taken', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await logs.getState()).toBe('active');
    expect(await redis.exists(`${prefix()}logs:cursor:payment`)).toBe(0);

    releaseMetrics();
    await until(async () => (await logs.getState()) === 'completed', 'the log-mining job done', 30_000);
    expect(await detection.getState()).toBe('completed');
  });

  it('starts no more jobs of a rate-limited queue than its limit allows, across its workers', async () => {
    const started: string[] = [];
    const rateLimit = { max: 2, durationMilliseconds: 60_000 };
    for (let index = 0; index < 2; index += 1) {
      const worker = startServiceWorker({ queueName: QUEUE_NAMES.forecast, connection: connection(), logger: silentLogger(), concurrency: 4, rateLimit, process: async (service) => started.push(service) });
      closeAfter(() => worker.close());
    }
    for (const service of ['a', 'b', 'c', 'd', 'e']) await queues().forecast.add('forecast', { service, signal: 'cpu' });
    await until(() => started.length >= 2, 'two jobs started', 10_000);
    // The limit's window is a minute: nothing else may start within these seconds, in either worker.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(started).toHaveLength(2);
    expect(await queues().forecast.getWaitingCount()).toBe(3);
  });
});
