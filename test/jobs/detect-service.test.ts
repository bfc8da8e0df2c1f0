import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import type { AnomalyDetector, DetectorState } from '../../src/detection/detector.js';
import { detectService, type DetectionDependencies } from '../../src/jobs/detect-service.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';

/**
 * The detection pass against real Redis and the simulated world. The detector here is a test
 * double with a known rule (a value above 1.5× the first value it saw scores 1), so what is
 * checked is the plumbing: state carried between passes and workers, anomalies raised once.
 */
class RatioDetector implements AnomalyDetector {
  constructor(private first?: number) {}
  update(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    this.first ??= value;
    return value > this.first * 1.5 ? 1 : 0;
  }
  snapshot(): DetectorState {
    return { kind: 'ratio-test', version: 1, first: this.first };
  }
}

const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
let prefix: string;

beforeEach(() => {
  prefix = `test:${randomUUID()}:`;
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

function setUp(scenario: string, minutesAfterFault: number) {
  const clock = new ManualClock(FAULT_START + minutesAfterFault * MINUTE);
  const sources = createSimulatedSources(catalogue, { clock, seed: 3, scenario, faultStart: FAULT_START });
  const raised: Anomaly[] = [];
  const dependencies: DetectionDependencies = {
    metrics: sources.metrics,
    catalogue,
    redis,
    prefix,
    sink: async (anomaly) => {
      raised.push(anomaly);
    },
    now: () => clock.now(),
    logger: silentLogger(),
    createDetector: () => new RatioDetector(),
    restoreDetector: (state) => new RatioDetector(state.first as number | undefined),
    threshold: 0.5,
    options: { warmUpMinutes: 60 },
  };
  return { clock, raised, dependencies };
}

describe('detectService', () => {
  it('warms up on history without raising it, then raises what arrives', async () => {
    const { clock, raised, dependencies } = setUp('bad-deploy', -30);
    const first = await detectService('payment', dependencies);
    expect(first).toMatchObject({ ran: true, samplesScored: 6 * 61, anomaliesEmitted: 0 });
    clock.advance(35 * MINUTE);
    const second = await detectService('payment', dependencies);
    expect(second.samplesScored).toBe(6 * 35);
    expect(raised.length).toBeGreaterThan(0);
    expect(raised[0]).toMatchObject({ kind: 'anomaly', service: 'payment', signals: ['error_rate'] });
    expect(raised[0]!.detectedAt).toBeGreaterThan(FAULT_START);
    expect(raised[0]!.summary).toMatch(/^payment: error_rate \d+\.\d% errors \(usually 0\.\d% errors\)/);
  });

  it('never raises the same anomaly twice, even when a pass is repeated from the same state', async () => {
    const { clock, raised, dependencies } = setUp('bad-deploy', -10);
    await detectService('payment', dependencies);
    clock.advance(15 * MINUTE);
    // A worker that raised and died before saving: the next pass starts from the same state.
    const saved = await redis.hgetall(`${prefix}detection:payment`);
    await detectService('payment', dependencies);
    const count = raised.length;
    expect(count).toBeGreaterThan(0);
    await redis.del(`${prefix}detection:payment`);
    await redis.hset(`${prefix}detection:payment`, saved);
    const repeat = await detectService('payment', dependencies);
    expect(repeat.samplesScored).toBeGreaterThan(0);
    expect(repeat.anomaliesEmitted).toBe(0);
    expect(raised).toHaveLength(count);
  });

  it('continues where the last pass stopped, whichever worker runs it', async () => {
    const { clock, dependencies } = setUp('bad-deploy', -10);
    await detectService('payment', dependencies);
    clock.advance(3 * MINUTE);
    // Another worker: same Redis, fresh process state.
    const other = { ...dependencies, createDetector: () => new RatioDetector(), restoreDetector: (state: DetectorState) => new RatioDetector(state.first as number | undefined) };
    const run = await detectService('payment', other);
    expect(run.samplesScored).toBe(6 * 3);
  });

  it('lets only one worker score a service at a time', async () => {
    const { dependencies } = setUp('bad-deploy', 10);
    await redis.set(`${prefix}lease:detect:payment`, 'someone-else', 'PX', 10_000);
    expect(await detectService('payment', dependencies)).toEqual({ service: 'payment', ran: false, samplesScored: 0, anomaliesEmitted: 0 });
  });
});
