import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { detectService, type DetectionDependencies } from '../../src/jobs/detect-service.js';
import { silentLogger } from '../../src/logger.js';
import { RatioDetector } from '../support/ratio-detector.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { testRedis } from '../support/test-redis.js';
import { createStores } from '../../src/state/stores.js';


const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
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
    stores: createStores(redis, prefix, { catalogue }),
    sink: async (anomaly) => {
      raised.push(anomaly);
    },
    now: () => clock.now(),
    logger: silentLogger(),
    createDetector: () => new RatioDetector(),
    restoreDetector: RatioDetector.restore,
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
    expect(raised[0]!.summary).toMatch(/^payment: error_rate \d+\.\d% \(usually 0\.\d+%\)/);
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
    const other = { ...dependencies, createDetector: () => new RatioDetector(), restoreDetector: RatioDetector.restore };
    const run = await detectService('payment', other);
    expect(run.samplesScored).toBe(6 * 3);
  });

  it('keeps detectors in memory between its own passes, and drops them when another worker has saved since', async () => {
    const { clock, dependencies } = setUp('bad-deploy', -10);
    const cache = new Map();
    const cached = { ...dependencies, cache };
    await detectService('payment', cached);
    let restores = 0;
    const counting = { ...cached, restoreDetector: (state: Parameters<typeof RatioDetector.restore>[0]) => (restores++, RatioDetector.restore(state)) };
    clock.advance(2 * MINUTE);
    expect((await detectService('payment', counting)).samplesScored).toBe(6 * 2);
    expect(restores).toBe(0);

    // Another worker, without this one's memory, replays from the last checkpoint (the two minutes
    // above were not checkpointed: fewer than five) and checkpoints twelve minutes.
    clock.advance(10 * MINUTE);
    expect((await detectService('payment', dependencies)).samplesScored).toBe(6 * 12);
    clock.advance(MINUTE);
    // Back here: the saved state is newer than the memory, so it is restored and only the new minute is scored.
    expect((await detectService('payment', counting)).samplesScored).toBe(6);
    expect(restores).toBe(6);
  });

  it('lets only one worker score a service at a time: a second pass is skipped as busy, not queued', async () => {
    const { dependencies } = setUp('bad-deploy', 10);
    await redis.set(`${prefix}lease:detect:payment`, 'someone-else', 'PX', 10_000);
    expect(await detectService('payment', dependencies)).toEqual({ service: 'payment', ran: false, skipped: 'busy', samplesScored: 0, anomaliesEmitted: 0 });
  });
});

/** A prediction that the service's `signal` reaches its limit, as service-findings makes it at `now`. */
function prediction(service: string, signal: 'memory' | 'cpu', now: number): Anomaly {
  return {
    id: `${service}:predictive:${signal}:warning:${Math.floor(now / 3_600_000)}`,
    kind: 'predictive',
    service,
    signals: [signal],
    score: 0.9,
    severity: 'warning',
    detectedAt: now,
    evidence: { start: now - 20 * MINUTE, end: now },
    summary: `${service} ${signal} reaches its limit at ${new Date(now + 30 * MINUTE).toISOString()}`,
  };
}

describe('detectService: predictions', () => {
  /** A memory prediction for cart while `holds` says so, made afresh every pass as service-findings makes it. */
  function predicting(holds: () => boolean) {
    const { clock, raised, dependencies } = setUp('bad-deploy', 0);
    const reports: Array<{ kind: 'ongoing' | 'recovered'; at: number; detectedAt: number; summary: string }> = [];
    const followed: DetectionDependencies = {
      ...dependencies,
      // No per-signal anomaly can reach this: only the prediction is raised.
      threshold: 2,
      extraFindings: async (service, _signals, now) => (holds() ? [prediction(service, 'memory', now)] : []),
      onOngoing: async (anomaly, at) => void reports.push({ kind: 'ongoing', at, detectedAt: anomaly.detectedAt, summary: anomaly.summary }),
      onRecovered: async (anomaly, at) => void reports.push({ kind: 'recovered', at, detectedAt: anomaly.detectedAt, summary: anomaly.summary }),
    };
    const pass = async () => {
      clock.advance(MINUTE);
      await detectService('cart', followed);
    };
    return { clock, raised, reports, pass, dependencies: followed };
  }

  it('raises a prediction once, reports it ongoing with its latest wording while it is made again, and ends it after the prediction hold', async () => {
    let holds = true;
    const { clock, raised, reports, pass, dependencies } = predicting(() => holds);
    await detectService('cart', dependencies);
    await pass();
    await pass();
    expect(raised).toHaveLength(1);
    expect(reports.map((report) => [report.kind, report.at, report.detectedAt])).toEqual([
      ['ongoing', clock.now() - MINUTE, clock.now() - MINUTE],
      ['ongoing', clock.now(), clock.now()],
    ]);

    // The exhaustion it predicted (a restart) clears the series: the prediction lapses for a while.
    holds = false;
    reports.length = 0;
    for (let minute = 1; minute <= 16; minute += 1) await pass();
    expect(reports.map((report) => report.kind)).toEqual([...Array<string>(15).fill('ongoing'), 'recovered']);
    await pass();
    expect(reports).toHaveLength(16);
  });

  it('keeps it going when the prediction comes back within the hold', async () => {
    let holds = true;
    const { reports, pass, dependencies } = predicting(() => holds);
    await detectService('cart', dependencies);
    await pass();
    holds = false;
    for (let minute = 1; minute <= 12; minute += 1) await pass();
    holds = true;
    await pass();
    holds = false;
    for (let minute = 1; minute <= 15; minute += 1) await pass();
    expect(reports.every((report) => report.kind === 'ongoing')).toBe(true);
    await pass();
    expect(reports.at(-1)?.kind).toBe('recovered');
  });

  it('reports every anomaly it follows at once, so one incident transaction takes them all', async () => {
    const { clock, dependencies } = setUp('bad-deploy', 0);
    let inFlight = 0;
    const atOnce: number[] = [];
    const followed: DetectionDependencies = {
      ...dependencies,
      threshold: 2,
      extraFindings: async (service, _signals, now) => [prediction(service, 'memory', now), prediction(service, 'cpu', now)],
      // Like the incident store: a report waits for a transaction, which takes every report made meanwhile.
      onOngoing: async () => {
        inFlight += 1;
        atOnce.push(inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
      },
    };
    await detectService('cart', followed);
    clock.advance(MINUTE);
    await detectService('cart', followed);
    expect(atOnce).toEqual([1, 2]);
  });
});
