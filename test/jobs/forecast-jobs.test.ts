import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { forecastServiceSignal } from '../../src/jobs/forecast-service.js';
import { createServiceFindings } from '../../src/jobs/service-findings.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { syncSchedules } from '../../src/jobs/schedules.js';
import { startServiceWorker } from '../../src/jobs/workers/service-worker.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { useQueueTest } from '../support/queue-test.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { prefix, queues, connection, closeAfter, redis } = await useQueueTest();

describe('forecast jobs on real Redis', () => {
  it('feed predictive alerts: detection raises a memory limit the cached forecast reaches tonight, while the trend sees none', async () => {
    const clock = new ManualClock(NOW);
    const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
    const stores = createStores(redis, prefix(), { catalogue });
    const findings = createServiceFindings({ catalogue, cluster: sources.cluster, models: stores.models, forecasts: stores.forecasts, logger: silentLogger() });
    const quiet = await findings('order-service', new Map(), NOW, NOW);
    expect(quiet.filter((anomaly) => anomaly.kind === 'predictive')).toEqual([]);
    await stores.forecasts.save({
      service: 'order-service', signal: 'memory', generatedAt: NOW - 60_000, horizonHours: 168, model: 'seasonal decomposition (daily)', backtestError: 1, current: 900e6, peak: 1.7e9, peakAt: NOW + 8 * 3_600_000, average: 1e9,
      limit: 1.5 * 1024 ** 3, currentReplicas: 3, recommendedReplicas: 5, limitReachedAt: NOW + 7 * 3_600_000, hourly: [],
    });
    const raised = (await findings('order-service', new Map(), NOW, NOW)).filter((anomaly) => anomaly.kind === 'predictive');
    expect(raised.map((anomaly) => anomaly.summary)).toEqual(['order-service memory reaches its limit (1.5 GiB) in about 7 h on the week-ahead forecast (seasonal decomposition (daily))']);
  });

  it('schedules cpu, memory and traffic forecasts per service, hourly, and drops those of a service gone from the catalogue', async () => {
    await syncSchedules(queues(), ['cart', 'payment'], { detectionEveryMilliseconds: 60_000 });
    const schedulers = await queues().forecast.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual(['forecast:cart:cpu', 'forecast:cart:memory', 'forecast:cart:request_rate', 'forecast:payment:cpu', 'forecast:payment:memory', 'forecast:payment:request_rate']);
    expect(new Set(schedulers.map((scheduler) => scheduler.every))).toEqual(new Set([3_600_000]));
    await syncSchedules(queues(), ['payment'], { detectionEveryMilliseconds: 60_000 });
    expect((await queues().forecast.getJobSchedulers()).map((scheduler) => scheduler.key).sort()).toEqual(['forecast:payment:cpu', 'forecast:payment:memory', 'forecast:payment:request_rate']);
  });

  it('spreads an estate\'s forecasts over the hour instead of running them all at once', async () => {
    const services = Array.from({ length: 200 }, (_, index) => `service-${index}`);
    const before = Date.now();
    await syncSchedules(queues(), services, { detectionEveryMilliseconds: 60_000, firstForecastAfterMilliseconds: 0 });
    const next = (await queues().forecast.getJobSchedulers()).map((scheduler) => scheduler.next!);
    expect(next).toHaveLength(600);
    // 600 forecasts, 200 ms apart on average: over two minutes, about evenly.
    const offsets = next.map((millis) => (millis - before) / 1000);
    expect(Math.min(...offsets)).toBeLessThan(10);
    expect(Math.max(...offsets)).toBeGreaterThan(100);
    expect(Math.max(...offsets)).toBeLessThan(125);
    expect(offsets.filter((offset) => offset < 60).length).toBeGreaterThan(220);
    expect(offsets.filter((offset) => offset < 60).length).toBeLessThan(380);
  });

  it('a worker runs a forecast job and keeps a week-ahead forecast in Redis, read back by any process', async () => {
    const clock = new ManualClock(NOW);
    const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
    const stores = createStores(redis, prefix(), { catalogue });
    const done: string[] = [];
    const worker = startServiceWorker({
      queueName: QUEUE_NAMES.forecast,
      connection: connection(),
      logger: silentLogger(),
      concurrency: 1,
      process: async (service, signal) => {
        const result = await forecastServiceSignal(service, signal as 'memory', { catalogue, metrics: sources.metrics, cluster: sources.cluster, now: () => clock.now(), forecasts: stores.forecasts, logger: silentLogger() });
        done.push(`${result.service}:${result.signal}:${result.status}`);
        return result;
      },
    });
    closeAfter(() => worker.close());
    await queues().forecast.add('forecast', { service: 'order-service', signal: 'memory' });
    const deadline = Date.now() + 30_000;
    while (done.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toEqual(['order-service:memory:ok']);

    const reader = createStores(redis, prefix(), { catalogue });
    const digest = (await reader.forecasts.load('order-service', 'memory'))!;
    expect(digest).toMatchObject({ service: 'order-service', signal: 'memory', generatedAt: NOW, horizonHours: 168, currentReplicas: 3 });
    // A week of hourly maxima, the first hour after now.
    expect(digest.hourly).toHaveLength(168);
    expect(digest.hourly[0]!.timestamp).toBe(NOW + 3_600_000);
    expect(digest.peak).toBeGreaterThanOrEqual(Math.max(...digest.hourly.map((hour) => hour.value)));
    expect(digest.limit).toBeGreaterThan(digest.peak);
    expect(await redis.ttl(`${prefix()}forecast:order-service:memory`)).toBeGreaterThan(3 * 3600 - 60);
  }, 60_000);
});
