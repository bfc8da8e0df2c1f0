import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { detectService, type DetectionDependencies } from '../../src/jobs/detect-service.js';
import { SourceHealth } from '../../src/jobs/source-health.js';
import { createLogger } from '../../src/logger.js';
import type { Signal } from '../../src/signals.js';
import type { MetricsSource, Series, TimeRange } from '../../src/sources/metrics.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { sampleValue } from '../support/exposition.js';
import { RatioDetector } from '../support/ratio-detector.js';
import { testRedis } from '../support/test-redis.js';

/*
 * Detection while its metrics source is down, as two worker processes sharing one Redis see it:
 * passes are skipped (not failed), the outage is reported once, and the first pass that reads
 * the source again says it is back, with the gap, and catches up without raising anything.
 */

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 24, 9, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
let prefix = '';

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(() => {
  redis.disconnect();
});

/**
 * The simulated world's metrics behind a switch: while `down`, every read fails as Prometheus'
 * adapter fails when nothing answers. Afterwards the minutes it was down have no samples, as a
 * Prometheus that scraped nothing meanwhile would answer, and the minutes at the edges of the
 * hole are off (sums over the pods scraped so far): three times the true value here.
 */
class FlakyMetrics implements MetricsSource {
  readonly kind = 'prometheus' as const;
  down = false;
  readonly gaps: Array<{ from: number; to: number }> = [];
  readonly artefacts = new Set<number>();

  constructor(private readonly inner: MetricsSource) {}

  async range(service: string, signal: Signal, range: TimeRange): Promise<Series> {
    if (this.down) {
      throw new AiopsError(ErrorCode.SourceUnavailable, 'prometheus: range query failed: connect ECONNREFUSED 127.0.0.1:9090', { backend: 'prometheus', hint: 'check PROMETHEUS_URL' });
    }
    const series = await this.inner.range(service, signal, range);
    const samples = series.samples
      .filter((sample) => !this.gaps.some((gap) => sample.timestamp >= gap.from && sample.timestamp < gap.to))
      .map((sample) => (this.artefacts.has(sample.timestamp) ? { ...sample, value: sample.value * 3 } : sample));
    return { ...series, samples };
  }

  instant = (service: string, signal: Signal, at?: Date) => this.inner.instant(service, signal, at);
  queryRange = (promql: string, range: TimeRange) => this.inner.queryRange(promql, range);
  query = (promql: string, at?: Date) => this.inner.query(promql, at);
  metricNames = () => this.inner.metricNames();
}

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** One worker process: its own logger, metrics, detector cache and view of the source; Redis shared. */
function workerProcess(shared: { clock: ManualClock; metrics: FlakyMetrics; raised: Anomaly[] }) {
  const lines: LogLine[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine)));
  const logger = createLogger({ level: 'debug', destination });
  const stores = createStores(redis, prefix, { catalogue });
  const metrics = new Metrics({ processMetrics: false });
  const dependencies: DetectionDependencies = {
    metrics: shared.metrics,
    catalogue,
    stores,
    sink: async (anomaly) => void shared.raised.push(anomaly),
    now: () => shared.clock.now(),
    logger,
    createDetector: () => new RatioDetector(),
    restoreDetector: RatioDetector.restore,
    threshold: 0.5,
    cache: new Map(),
    options: { warmUpMinutes: 60 },
    sourceHealth: new SourceHealth({ outages: stores.sourceOutages, metrics, logger }),
  };
  return { lines, metrics, stores, dependencies, detect: (service: string) => detectService(service, dependencies) };
}

function setUp(scenario?: { name: string; faultStart: number }) {
  prefix = `test:${randomUUID()}:`;
  const clock = new ManualClock(START);
  const sources = createSimulatedSources(catalogue, { clock, seed: 5, scenario: scenario?.name, faultStart: scenario?.faultStart });
  const shared = { clock, metrics: new FlakyMetrics(sources.metrics), raised: [] as Anomaly[] };
  return { ...shared, one: workerProcess(shared), other: workerProcess(shared) };
}

const WARN = 40;
const INFO = 30;
const DEBUG = 20;
const SERVICES = ['payment', 'cart'];

describe('detectService while the metrics source is down', () => {
  it('skips passes instead of failing them, warns once across two workers, and reports the gap once when the source is back', async () => {
    const { clock, metrics, raised, one, other } = setUp();
    for (const service of SERVICES) await one.detect(service);
    clock.advance(MINUTE);
    for (const service of SERVICES) expect((await other.detect(service)).samplesScored).toBe(6);

    metrics.down = true;
    clock.advance(MINUTE);
    const outageStart = clock.now();
    const skipped = [];
    for (let minute = 0; minute < 4; minute += 1) {
      for (const service of SERVICES) skipped.push(await one.detect(service), await other.detect(service));
      clock.advance(MINUTE);
    }
    expect(skipped).toHaveLength(16);
    for (const run of skipped) expect(run).toMatchObject({ ran: false, skipped: 'source_unavailable', samplesScored: 0, anomaliesEmitted: 0 });

    const warnings = [...one.lines, ...other.lines].filter((line) => line.level >= WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ source: 'metrics', backend: 'prometheus', hint: 'check PROMETHEUS_URL', since: new Date(outageStart).toISOString() });
    expect(warnings[0]!.msg).toMatch(/^prometheus unreachable since \S+: detection passes are skipped until it answers, then catch up \(check PROMETHEUS_URL\); prometheus: range query failed: connect ECONNREFUSED/);
    const quiet = [...one.lines, ...other.lines].filter((line) => line.msg.startsWith('detection pass skipped'));
    expect(quiet).toHaveLength(15);
    expect(quiet.every((line) => line.level === DEBUG)).toBe(true);
    for (const worker of [one, other]) {
      const text = await worker.metrics.render();
      expect(sampleValue(text, 'aiops_source_up', { source: 'metrics' })).toBe(0);
      expect(sampleValue(text, 'aiops_detection_passes_skipped_total', { reason: 'source_unavailable' })).toBe(8);
    }

    // Back after four minutes, with nothing for the minutes it was down and broken sums at its edges.
    metrics.down = false;
    metrics.gaps.push({ from: outageStart + MINUTE, to: clock.now() });
    metrics.artefacts.add(outageStart).add(clock.now());
    const recoveredAt = clock.now();
    const caughtUp = [await one.detect('payment'), await other.detect('cart')];
    // The minute before the outage, its minutes and two after it are left out: nothing to score yet.
    expect(caughtUp.map((run) => [run.ran, run.samplesScored])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    const back = [...one.lines, ...other.lines].filter((line) => line.level === INFO && /is back/.test(line.msg));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ source: 'metrics', backend: 'prometheus', from: new Date(outageStart).toISOString(), to: new Date(recoveredAt).toISOString(), minutes: 4 });
    expect(back[0]!.msg).toMatch(/^prometheus is back: no metrics could be read from \S+ to \S+ \(4 min\); detection catches up from the last sample it scored$/);
    expect(await one.stores.sourceOutages.current('metrics')).toBeUndefined();

    for (const scored of [0, 0, 6, 6]) {
      clock.advance(MINUTE);
      expect([(await one.detect('payment')).samplesScored, (await other.detect('cart')).samplesScored]).toEqual([scored, scored]);
    }
    expect([...one.lines, ...other.lines].filter((line) => line.level >= WARN || /is back/.test(line.msg))).toHaveLength(2);
    for (const worker of [one, other]) expect(sampleValue(await worker.metrics.render(), 'aiops_source_up', { source: 'metrics' })).toBe(1);
    expect(raised).toEqual([]);
  });

  it('raises a fault that began while only the path to Prometheus was down: its data is whole, and scored', async () => {
    const faultStart = START + 3 * MINUTE;
    const { clock, metrics, raised, one, other } = setUp({ name: 'bad-deploy', faultStart });
    await one.detect('payment');
    metrics.down = true;
    for (let minute = 1; minute <= 10; minute += 1) {
      clock.advance(MINUTE);
      expect((await (minute % 2 ? one : other).detect('payment')).skipped).toBe('source_unavailable');
    }
    metrics.down = false;
    clock.advance(MINUTE);
    const caughtUp = await other.detect('payment');
    expect(caughtUp.samplesScored).toBe(6 * 11);
    expect(caughtUp.anomaliesEmitted).toBeGreaterThan(0);
    expect(raised[0]).toMatchObject({ service: 'payment', signals: ['error_rate'] });
    expect(raised[0]!.detectedAt).toBeGreaterThanOrEqual(faultStart);
  });

  it('throws the source error where no source health is given (a one-shot pass reports it)', async () => {
    const { metrics, one } = setUp();
    metrics.down = true;
    const { sourceHealth: _ignored, ...oneShot } = one.dependencies;
    await expect(detectService('payment', oneShot)).rejects.toMatchObject({ code: ErrorCode.SourceUnavailable, hint: 'check PROMETHEUS_URL' });
    // The lease was given back: the next pass runs.
    metrics.down = false;
    expect((await detectService('payment', oneShot)).ran).toBe(true);
  });

  it('fails a pass for what is not an outage: a query the source rejects is a mistake to see, not to skip', async () => {
    const { metrics, one } = setUp();
    metrics.range = async () => {
      throw new AiopsError(ErrorCode.SourceBadResponse, 'prometheus: the answer is not a Prometheus API response', { backend: 'prometheus' });
    };
    await expect(one.detect('payment')).rejects.toMatchObject({ code: ErrorCode.SourceBadResponse });
    expect(one.lines.filter((line) => line.level >= WARN)).toEqual([]);
  });
});
