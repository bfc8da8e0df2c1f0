import { PassThrough } from 'node:stream';
import { Job, type Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../../src/detection/create-detector.js';
import { detectService, type DetectionRun } from '../../src/jobs/detect-service.js';
import { QUEUE_NAMES, type ServiceJob } from '../../src/jobs/queues.js';
import { createServiceFindings } from '../../src/jobs/service-findings.js';
import { SourceHealth } from '../../src/jobs/source-health.js';
import { startServiceWorker } from '../../src/jobs/workers/service-worker.js';
import { createLogger } from '../../src/logger.js';
import { PrometheusMetrics } from '../../src/sources/prometheus/prometheus-metrics.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { writeOpenMetrics } from '../../src/sources/sim/openmetrics.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { SimWorld, tickOf } from '../../src/sources/sim/world.js';
import { createStores } from '../../src/state/stores.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { sampleValue } from '../support/exposition.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus-server.js';
import { useQueueTest } from '../support/queue-test.js';
import { skipWithout } from '../support/requirements.js';

/*
 * Prometheus down, end to end: a real Prometheus holding six hours of a healthy simulated estate,
 * real Redis, two detection workers (BullMQ, as two processes would run them) scoring four
 * services a minute with the real detectors. Prometheus is killed for six passes and restarted
 * on the same port and data. It has nothing for the minutes it was down, and as a real one would,
 * it loses and regains the pods one scrape apart: around the gap the sums over pods are partial.
 *
 * Detection runs on its own clock, a minute a pass, through the last stretch of the backfilled
 * history (Prometheus answers for a past instant as it did then).
 */

const MINUTE = 60_000;
const SERVICES = ['frontend', 'checkout', 'payment', 'cart'];
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
/** The first pass; the history ends half an hour later, in the past of the wall clock. */
const FIRST_PASS = tickOf(Date.now()) - 40 * MINUTE;
const WARM_UP_MINUTES = 360;
const HISTORY = { start: FIRST_PASS - (WARM_UP_MINUTES + 70) * MINUTE, end: FIRST_PASS + 30 * MINUTE };
/** Prometheus is killed before the pass at DOWN_AT and is back before the one at UP_AT. */
const DOWN_AT = FIRST_PASS + 4 * MINUTE;
const UP_AT = DOWN_AT + 6 * MINUTE;
const PASSES_AFTER = 10;

/** Half the pods were scraped once more before Prometheus died, half are scraped a minute later after it came back. */
function lateScrape(pod: string): number {
  let hash = 0;
  for (const character of pod) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return hash % 2;
}

/** The history Prometheus holds: everything, less what it could not scrape while it was down. */
function historyText(): string {
  const world = new SimWorld({ clock: new ManualClock(HISTORY.end), seed: 17 });
  const chunks: string[] = [];
  writeOpenMetrics(world, HISTORY, (chunk) => chunks.push(chunk));
  return chunks
    .join('')
    .split('\n')
    .filter((line) => {
      if (line === '' || line.startsWith('#')) return true;
      const timestamp = Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000;
      const pod = /pod="([^"]+)"/.exec(line)?.[1];
      const shift = pod === undefined ? 0 : lateScrape(pod) * MINUTE;
      return timestamp < DOWN_AT + shift || timestamp >= UP_AT + shift;
    })
    .join('\n');
}

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const WARN = 40;

const { prefix, queues, connection, closeAfter, redis } = await useQueueTest();

describe.skipIf(skipWithout('prometheus', 'detection through a Prometheus outage'))('detection through a Prometheus outage', () => {
  let prometheus: PrometheusServer | undefined;

  afterAll(async () => {
    await prometheus?.close();
  });

  /** One worker process: its own logger, metrics, detectors and view of the source; Redis and the queue shared. */
  function workerProcess(url: string, clock: ManualClock, raised: Anomaly[]) {
    const lines: LogLine[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine)));
    const logger = createLogger({ level: 'debug', destination });
    const stores = createStores(redis, prefix(), { catalogue });
    const metrics = new Metrics({ processMetrics: false });
    const cluster = createSimulatedSources(catalogue, { clock, seed: 17 }).cluster;
    const dependencies = {
      metrics: new PrometheusMetrics({ url, catalogue, timeoutMilliseconds: 2_000 }),
      catalogue,
      stores,
      sink: async (anomaly: Anomaly) => void raised.push(anomaly),
      now: () => clock.now(),
      logger,
      // The product's detector; a shorter learning phase than production's 750 minutes keeps the backfill small.
      createDetector: () => createDetector({ learningRows: 240 }),
      restoreDetector,
      threshold: RECOMMENDED_ALERT_THRESHOLD,
      extraFindings: createServiceFindings({ catalogue, cluster, models: stores.models, forecasts: stores.forecasts, logger }),
      cache: new Map(),
      options: { warmUpMinutes: WARM_UP_MINUTES },
      sourceHealth: new SourceHealth({ outages: stores.sourceOutages, metrics, logger }),
    };
    const worker: Worker<ServiceJob> = startServiceWorker({ queueName: QUEUE_NAMES.detection, connection: connection(), logger, process: (service) => detectService(service, dependencies) });
    metrics.observeWorker(worker);
    closeAfter(() => worker.close());
    return { lines, metrics, stores };
  }

  /** One minute's detection: a job per service, as the schedulers add them; resolves when each has settled. */
  async function pass(): Promise<Array<{ state: string; run: DetectionRun }>> {
    const jobs = await Promise.all(SERVICES.map((service) => queues().detection.add('detect', { service })));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const settled = await Promise.all(
        jobs.map(async (job) => {
          const state = await queues().detection.getJobState(job.id!);
          return { state, run: (await Job.fromId(queues().detection, job.id!))?.returnvalue as DetectionRun };
        }),
      );
      // A failed attempt waits for its retry as `delayed`: settled too, and wrong.
      if (settled.every(({ state }) => ['completed', 'failed', 'delayed'].includes(state))) return settled;
      if (Date.now() > deadline) throw new Error(`detection jobs did not settle: ${settled.map(({ state }) => state).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('reports the gap once, skips the passes it cannot score without failing a job, raises nothing false, and recovers by itself', async () => {
    prometheus = await startPrometheus(historyText());
    const clock = new ManualClock(FIRST_PASS);
    const raised: Anomaly[] = [];
    const workers = [workerProcess(prometheus.url, clock, raised), workerProcess(prometheus.url, clock, raised)];
    const allLines = () => workers.flatMap((worker) => worker.lines);

    // Warm-up and three ordinary minutes.
    for (let minute = 0; minute < 4; minute += 1) {
      const runs = await pass();
      expect(runs.map(({ state, run }) => [state, run.ran])).toEqual(SERVICES.map(() => ['completed', true]));
      clock.advance(MINUTE);
    }
    expect(clock.now()).toBe(DOWN_AT);

    await prometheus.kill();
    for (let minute = 0; minute < 6; minute += 1) {
      const runs = await pass();
      expect(runs.map(({ state, run }) => [state, run.skipped])).toEqual(SERVICES.map(() => ['completed', 'source_unavailable']));
      clock.advance(MINUTE);
    }
    const warnings = allLines().filter((line) => line.level >= WARN);
    expect(warnings, JSON.stringify(warnings)).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ source: 'metrics', backend: 'prometheus', hint: 'check PROMETHEUS_URL', since: new Date(DOWN_AT).toISOString() });
    expect(warnings[0]!.msg).toMatch(/^prometheus unreachable since .*\(check PROMETHEUS_URL\); prometheus: range query failed: .*ECONNREFUSED/);
    expect(await queues().detection.getFailedCount()).toBe(0);
    const skippedByWorker = await Promise.all(workers.map(async (worker) => sampleValue(await worker.metrics.render(), 'aiops_detection_passes_skipped_total', { reason: 'source_unavailable' }) ?? 0));
    expect(skippedByWorker.reduce((sum, count) => sum + count, 0)).toBe(6 * SERVICES.length);

    await prometheus.restart();
    expect(clock.now()).toBe(UP_AT);
    const scored: number[][] = [];
    for (let minute = 0; minute <= PASSES_AFTER; minute += 1) {
      const runs = await pass();
      expect(runs.map(({ state, run }) => [state, run.ran])).toEqual(SERVICES.map(() => ['completed', true]));
      scored.push(runs.map(({ run }) => run.samplesScored));
      clock.advance(MINUTE);
    }
    // The samples around the hole are left out; then every minute is scored again, all six signals
    // (a worker taking a service over from the other replays the minutes since its checkpoint).
    expect(scored.at(-1)!.every((count) => count >= 6 && count % 6 === 0), JSON.stringify(scored)).toBe(true);

    const back = allLines().filter((line) => /is back/.test(line.msg));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ level: 30, source: 'metrics', backend: 'prometheus', from: new Date(DOWN_AT).toISOString(), to: new Date(UP_AT).toISOString(), minutes: 6 });
    expect(allLines().filter((line) => line.level >= WARN)).toHaveLength(1);
    expect(allLines().filter((line) => /job failed/.test(line.msg))).toEqual([]);
    expect(await workers[0]!.stores.sourceOutages.current('metrics')).toBeUndefined();
    for (const worker of workers) {
      const up = sampleValue(await worker.metrics.render(), 'aiops_source_up', { source: 'metrics' });
      expect(up === undefined || up === 1).toBe(true);
    }
    expect(raised.map((anomaly) => `${new Date(anomaly.detectedAt).toISOString()} ${anomaly.summary}`)).toEqual([]);
  }, 90_000);
});
