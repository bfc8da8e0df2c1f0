import { describe, expect, it } from 'vitest';
import { rankRootCauses } from '../../src/rca/rank-root-causes.js';
import type { MetricSeries, RootCauseInput } from '../../src/rca/root-cause-input.js';

const START = Date.parse('2026-11-25T14:00:00Z');
const STEP = 1000;
/** 300 normal samples, then 120 anomalous ones, one a second. */
const NORMAL_SAMPLES = 300;
const ANOMALOUS_SAMPLES = 120;
const TIMESTAMPS = Array.from({ length: NORMAL_SAMPLES + ANOMALOUS_SAMPLES }, (_, index) => START + (index - NORMAL_SAMPLES) * STEP);

/** Deterministic noise in [-1, 1]: the same every run, never flat (a flat series has no MAD). */
function noise(index: number, seed: number): number {
  return Math.sin(index * 12.9898 + seed * 78.233) * 0.5 + Math.sin(index * 3.7 + seed) * 0.5;
}

/**
 * A series at `level` ± `spread` that moves by `jump` (in spreads) from `delay` seconds into the
 * anomaly on.
 */
function series(service: string, metric: string, shape: { level: number; spread: number; jump: number; delay?: number; seed?: number }): MetricSeries {
  const values = TIMESTAMPS.map((at, index) => {
    const moved = at >= START + (shape.delay ?? 0) * STEP ? shape.jump * shape.spread : 0;
    return shape.level + shape.spread * noise(index, shape.seed ?? service.length) + moved;
  });
  return { service, metric, timestamps: [...TIMESTAMPS], values };
}

function input(seriesList: MetricSeries[], extra: Partial<RootCauseInput> = {}): RootCauseInput {
  return { series: seriesList, anomalyStart: START, ...extra };
}

const order = (ranking: ReturnType<typeof rankRootCauses>): string[] => ranking.ranking.map((cause) => cause.service);

describe('rankRootCauses', () => {
  it('ranks the service whose CPU jumped over one whose latency rose only after it', () => {
    const ranking = rankRootCauses(
      input([
        series('payment', 'cpu', { level: 0.2, spread: 0.02, jump: 30 }),
        series('payment', 'mem', { level: 200, spread: 2, jump: 0 }),
        series('orders', 'latency_p95', { level: 120, spread: 5, jump: 40, delay: 20 }),
        series('orders', 'cpu', { level: 0.3, spread: 0.03, jump: 0 }),
        series('front-end', 'cpu', { level: 0.5, spread: 0.05, jump: 0 }),
      ]),
    );
    expect(order(ranking)).toEqual(['payment', 'orders', 'front-end']);
    const [top] = ranking.ranking;
    expect(top!.evidence[0]).toMatchObject({ kind: 'metric', metric: 'cpu', at: START });
    expect(top!.evidence[0]!.summary).toMatch(/^cpu \d.* \(normally 0\.2\d*\), far above normal, from 14:00:00 UTC$/);
    expect(top!.evidence[0]!.normal).toBeCloseTo(0.2, 1);
    expect(top!.evidence[0]!.zScore).toBeGreaterThan(20);
    // Evidence strongest first, and the score is what the evidence adds up to.
    for (const cause of ranking.ranking) {
      const weights = cause.evidence.map((item) => item.weight);
      expect(weights).toEqual([...weights].sort((left, right) => right - left));
      expect(cause.score).toBeCloseTo(weights.reduce((sum, weight) => sum + weight, 0), 9);
    }
  });

  it('prefers an anomalous service with healthy dependencies to its anomalous caller when the call graph is known', () => {
    const seriesList = [
      series('orders', 'cpu', { level: 0.3, spread: 0.03, jump: 30 }),
      series('orders-db', 'cpu', { level: 0.3, spread: 0.03, jump: 20 }),
      series('shipping', 'cpu', { level: 0.3, spread: 0.03, jump: 0 }),
    ];
    expect(order(rankRootCauses(input(seriesList)))[0]).toBe('orders');
    const withGraph = rankRootCauses(input(seriesList, { graph: [['front-end', 'orders'], ['orders', 'orders-db'], ['orders', 'shipping']] }));
    expect(order(withGraph)).toEqual(['orders-db', 'orders', 'shipping']);
    expect(withGraph.ranking[0]!.evidence.some((item) => item.kind === 'graph' && item.weight > 0)).toBe(true);
    expect(withGraph.ranking[1]!.evidence.find((item) => item.kind === 'graph')?.summary).toMatch(/calls orders-db/);
  });

  it('lets a deploy shortly before the anomaly lift a service with a weaker metric signal', () => {
    const seriesList = [series('carts', 'cpu', { level: 0.3, spread: 0.03, jump: 30 }), series('user', 'cpu', { level: 0.3, spread: 0.03, jump: 15 })];
    expect(order(rankRootCauses(input(seriesList)))[0]).toBe('carts');
    const ranking = rankRootCauses(input(seriesList, { changes: [{ service: 'user', kind: 'deploy', at: START - 5 * 60_000, description: 'user 1.4.0 → 1.5.0' }] }));
    expect(order(ranking)).toEqual(['user', 'carts']);
    const change = ranking.ranking[0]!.evidence.find((item) => item.kind === 'change');
    expect(change).toMatchObject({ at: START - 5 * 60_000, weight: expect.any(Number) });
    expect(change!.summary).toBe('deploy at 13:55:00 UTC, 5 min before the anomaly: user 1.4.0 → 1.5.0');
    // A deploy from yesterday says nothing about this incident.
    const stale = rankRootCauses(input(seriesList, { changes: [{ service: 'user', kind: 'deploy', at: START - 24 * 3_600_000, description: 'old' }] }));
    expect(order(stale)[0]).toBe('carts');
  });

  it('lets an OOMKilled event lift a service with a weaker metric signal', () => {
    const seriesList = [series('carts', 'mem', { level: 300, spread: 3, jump: 30 }), series('catalogue', 'mem', { level: 300, spread: 3, jump: 15 })];
    const ranking = rankRootCauses(input(seriesList, { events: [{ service: 'catalogue', reason: 'OOMKilled', at: START + 60_000, count: 2, message: 'container catalogue exceeded its memory limit' }] }));
    expect(order(ranking)).toEqual(['catalogue', 'carts']);
    expect(ranking.ranking[0]!.evidence.find((item) => item.kind === 'event')!.summary).toBe('OOMKilled ×2 at 14:01:00 UTC: container catalogue exceeded its memory limit');
  });

  it('ranks services known only from context, and adds new error log templates as evidence', () => {
    const ranking = rankRootCauses(
      input([series('carts', 'cpu', { level: 0.3, spread: 0.03, jump: 0 })], {
        logs: [{ service: 'payment', kind: 'new-template', at: START + 10_000, error: true, template: 'card gateway timeout after <*> ms', count: 40 }],
      }),
    );
    expect(order(ranking).sort()).toEqual(['carts', 'payment']);
    const payment = ranking.ranking.find((cause) => cause.service === 'payment')!;
    expect(payment.score).toBeGreaterThan(0);
    expect(payment.evidence[0]).toMatchObject({ kind: 'log' });
  });

  it('gives finite scores for constant series and skips missing values', () => {
    const flat = (service: string, metric: string, level: number): MetricSeries => ({ service, metric, timestamps: [...TIMESTAMPS], values: TIMESTAMPS.map(() => level) });
    const stepped: MetricSeries = { service: 'queue', metric: 'cpu', timestamps: [...TIMESTAMPS], values: TIMESTAMPS.map((at) => (at >= START ? 1 : 0)) };
    const gappy = series('user', 'cpu', { level: 0.3, spread: 0.03, jump: 20 });
    gappy.values = gappy.values.map((value, index) => (index % 3 === 0 ? Number.NaN : value));
    const allMissing: MetricSeries = { service: 'ghost', metric: 'cpu', timestamps: [...TIMESTAMPS], values: TIMESTAMPS.map(() => Number.NaN) };
    const ranking = rankRootCauses(input([flat('carts', 'cpu', 0), flat('orders', 'mem', 5e8), stepped, gappy, allMissing]));
    expect(order(ranking)).not.toContain('ghost');
    expect(order(ranking)).toHaveLength(4);
    for (const cause of ranking.ranking) {
      expect(Number.isFinite(cause.score)).toBe(true);
      for (const item of cause.evidence) expect(Number.isFinite(item.weight)).toBe(true);
    }
    expect(order(ranking).slice(0, 2).sort()).toEqual(['queue', 'user']);
    expect(ranking.ranking.find((cause) => cause.service === 'carts')!.score).toBe(0);
  });

  it('takes fault-free rows after the anomalous window as the normal period only when asked', () => {
    // The normal data were recorded after the incident: the anomaly comes first in time.
    const after = (service: string, jump: number): MetricSeries => {
      const values = TIMESTAMPS.map((_, index) => 0.3 + 0.03 * noise(index, service.length) + (index < ANOMALOUS_SAMPLES ? jump * 0.03 : 0));
      return { service, metric: 'cpu', timestamps: TIMESTAMPS.map((at) => at + NORMAL_SAMPLES * STEP), values };
    };
    const anomalyEnd = START + (ANOMALOUS_SAMPLES - 1) * STEP;
    const ranking = rankRootCauses({ series: [after('orders', 30), after('carts', 0)], anomalyStart: START, anomalyEnd, normalAfterEnd: true });
    expect(order(ranking)).toEqual(['orders', 'carts']);
    expect(ranking.ranking[0]!.score).toBeGreaterThan(2);
    // Without it there is no normal period to compare with, and no metric evidence.
    expect(rankRootCauses({ series: [after('orders', 30)], anomalyStart: START, anomalyEnd }).ranking).toEqual([]);
  });

  it('is deterministic and does not modify its input', () => {
    const seriesList = [series('carts', 'cpu', { level: 0.3, spread: 0.03, jump: 30 }), series('user', 'cpu', { level: 0.3, spread: 0.03, jump: 0 })];
    const copy = structuredClone(seriesList);
    expect(rankRootCauses(input(seriesList))).toEqual(rankRootCauses(input(seriesList)));
    expect(seriesList).toEqual(copy);
  });
});
