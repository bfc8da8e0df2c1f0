/**
 * How many service-minutes one core scores per second, end to end but for the fetch: the real
 * detection pass (`detectService`) with its state in a real Redis, the six detectors, the service
 * model and exhaustion prediction, one pass per service per minute as the scheduler runs it. The
 * metrics are fetched from the simulated world once, up front, and served from memory, so the
 * sources' cost is excluded.
 *
 *   npm run bench:throughput [-- --minutes 120 --redis URL (default: a private redis-server)]
 *
 * Compared in the same run: a worker keeping its detectors in memory between passes (the
 * default), the same with a minute's passes in flight together (Redis round trips overlap, as
 * with BullMQ's concurrency), and a worker that keeps nothing and restores every pass from the
 * last checkpoint (what any worker does for a service it did not score last). The requirement: 10,000 services × 5 signals every minute on one core,
 * 10,000 service-minutes per 60 s ≈ 167/s (we score 6 signals, not 5).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../src/catalogue.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../src/detection/create-detector.js';
import { detectService, type DetectionDependencies, type DetectorCache } from '../src/jobs/detect-service.js';
import { createServiceFindings } from '../src/jobs/service-findings.js';
import { trainService } from '../src/jobs/train-service.js';
import { silentLogger } from '../src/logger.js';
import type { MetricsSource, Series, TimeRange } from '../src/sources/metrics.js';
import { SIGNALS, type Sample, type Signal } from '../src/signals.js';
import { ManualClock } from '../src/sources/sim/clock.js';
import { createSimulatedSources } from '../src/sources/sim/simulated-world.js';
import { benchmarkRedis } from '../test/support/redis-server.js';
import { createStores } from '../src/state/stores.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '120' }, redis: { type: 'string' } } });
const minutes = Number(values.minutes);
const MINUTE = 60_000;
const start = Date.UTC(2026, 10, 20, 0, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const clock = new ManualClock(start + (minutes + 1) * MINUTE);
const simulated = createSimulatedSources(catalogue, { clock, seed: 42 });
const services = Object.keys(catalogue.services);

/** Every sample of the benchmark's span, fetched once; ranges are then slices of memory. */
class PrefetchedMetrics implements MetricsSource {
  readonly kind = 'sim' as const;
  private readonly series = new Map<string, Sample[]>();
  async load(): Promise<void> {
    const range = { start: new Date(start - 4 * 1440 * MINUTE), end: new Date(start + (minutes + 1) * MINUTE), stepSeconds: 60 };
    for (const service of services) {
      for (const signal of SIGNALS) this.series.set(`${service}|${signal}`, (await simulated.metrics.range(service, signal, range)).samples);
    }
  }
  async range(service: string, signal: Signal, range: TimeRange): Promise<Series> {
    const all = this.series.get(`${service}|${signal}`)!;
    const from = range.start.getTime();
    const to = range.end.getTime();
    const step = range.stepSeconds * 1000;
    return { labels: { service, signal }, samples: all.filter((sample) => sample.timestamp >= from && sample.timestamp <= to && (sample.timestamp - from) % step === 0) };
  }
  async instant(): Promise<number | undefined> {
    throw new Error('not used');
  }
  async queryRange(): Promise<Series[]> {
    throw new Error('not used');
  }
  async query(): Promise<Series[]> {
    throw new Error('not used');
  }
  async metricNames(): Promise<string[]> {
    return simulated.metrics.metricNames();
  }
}

const metrics = new PrefetchedMetrics();
await metrics.load();
const redisServer = await benchmarkRedis(values.redis);
const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const logger = silentLogger();

async function run(cache: DetectorCache | undefined, parallel: boolean): Promise<{ seconds: number; passes: number }> {
  const prefix = `bench:${randomUUID()}:`;
  const stores = createStores(redis, prefix, { catalogue });
  const models = stores.models;
  const dependencies: DetectionDependencies = {
    metrics,
    catalogue,
    stores,
    sink: async () => undefined,
    now: () => clock.now(),
    logger,
    createDetector,
    restoreDetector,
    threshold: RECOMMENDED_ALERT_THRESHOLD,
    extraFindings: createServiceFindings({ catalogue, cluster: simulated.cluster, models, logger }),
    cache,
  };
  clock.set(start);
  for (const service of services) {
    await trainService(service, { metrics, models, now: () => clock.now(), logger });
    await detectService(service, dependencies);
  }
  const began = process.hrtime.bigint();
  for (let minute = 1; minute <= minutes; minute += 1) {
    clock.set(start + minute * MINUTE);
    if (parallel) await Promise.all(services.map((service) => detectService(service, dependencies)));
    else for (const service of services) await detectService(service, dependencies);
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  return { seconds, passes: minutes * services.length };
}

const cached = await run(new Map(), false);
const concurrent = await run(new Map(), true);
const restored = await run(undefined, false);
await redis.quit();
await redisServer.stop();

const required = 10_000 / 60;
const row = (name: string, result: { seconds: number; passes: number }) =>
  `| ${name} | ${result.passes} | ${result.seconds.toFixed(2)} | ${(result.passes / result.seconds).toFixed(0)} | ${(((result.passes / result.seconds) / required)).toFixed(1)}× |`;
console.log(`date: ${new Date().toISOString()}  machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}; one process`);
console.log(`| worker | service-minutes | seconds | service-minutes/s | / required (${required.toFixed(0)}/s) |`);
console.log('|---|---:|---:|---:|---:|');
console.log(row('keeps its detectors in memory (default), one pass at a time', cached));
console.log(row('keeps its detectors in memory, a minute\'s 10 passes at once (as BullMQ concurrency does)', concurrent));
console.log(row('keeps nothing: restores from the last checkpoint every pass, one at a time', restored));
