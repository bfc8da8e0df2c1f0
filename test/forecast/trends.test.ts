import { describe, expect, it } from 'vitest';
import { dayOverDay, findTrends, measureTrend, sinceDeploy, weekOverWeek, type TrendSeries } from '../../src/forecast/trends.js';
import type { Signal } from '../../src/signals.js';
import { seededGaussian } from '../detection/synthetic-series.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STEP = 300_000;
/** Noon UTC on a Monday. */
const NOW = Date.UTC(2026, 0, 12, 12);

interface Shape {
  days: number;
  level: number;
  /** Daily swing around the level, as a share of it (peak at 20:00 UTC). */
  amplitude?: number;
  /** Relative noise of each sample. */
  noise?: number;
  /** A multiplier on the level at each instant: the change under test. */
  change?: (timestamp: number) => number;
  seed?: number;
}

/** Five-minute samples up to NOW with a daily cycle, seeded noise and an optional change. */
function series(service: string, signal: Signal, shape: Shape): TrendSeries {
  const gaussian = seededGaussian(shape.seed ?? 7);
  const samples = [];
  for (let timestamp = NOW - shape.days * DAY; timestamp <= NOW; timestamp += STEP) {
    const hour = (timestamp / HOUR) % 24;
    const daily = 1 + (shape.amplitude ?? 0.4) * Math.cos((2 * Math.PI * (hour - 20)) / 24);
    samples.push({ timestamp, value: shape.level * daily * (shape.change?.(timestamp) ?? 1) * (1 + (shape.noise ?? 0.02) * gaussian()) });
  }
  return { service, signal, samples };
}

const from = (start: number, multiplier: number) => (timestamp: number) => (timestamp > start ? multiplier : 1);

describe('findTrends', () => {
  it('finds no trend in daily-seasonal series without drift: the daily peak is compared with the peak', () => {
    const report = findTrends({
      now: NOW,
      series: [
        series('cart', 'cpu', { days: 8, level: 0.5, seed: 1 }),
        series('cart', 'memory', { days: 8, level: 400 * 2 ** 20, amplitude: 0.1, noise: 0.01, seed: 2 }),
        series('cart', 'request_rate', { days: 8, level: 120, amplitude: 0.8, noise: 0.03, seed: 3 }),
        series('cart', 'latency_p95', { days: 8, level: 0.08, amplitude: 0.2, noise: 0.05, seed: 4 }),
      ],
    });
    expect(report.trends).toEqual([]);
    expect(report.compared).toEqual([{ service: 'cart', comparison: weekOverWeek(NOW), signals: ['cpu', 'memory', 'request_rate', 'latency_p95'] }]);
    expect(report.skipped).toEqual([]);
  });

  it('finds a sustained +30% week over week and measures its size', () => {
    const report = findTrends({ now: NOW, series: [series('cart', 'cpu', { days: 8, level: 0.5, change: from(NOW - DAY, 1.3) })] });
    expect(report.trends).toHaveLength(1);
    const [trend] = report.trends;
    expect(trend).toMatchObject({ service: 'cart', signal: 'cpu', comparison: weekOverWeek(NOW), rising: true, direction: 'worse', sustainedHours: 24, comparedHours: 24 });
    expect(trend!.relativeChange).toBeGreaterThan(0.27);
    expect(trend!.relativeChange).toBeLessThan(0.33);
    expect(trend!.after / trend!.before).toBeCloseTo(1 + trend!.relativeChange!, 10);
    // The level's floor (4% of it) is the spread here: 30% is about 7.5 spreads.
    expect(trend!.effectSize).toBeGreaterThan(6);
    expect(trend!.effectSize).toBeLessThan(9);
  });

  it('tells traffic from harm, and less of a harmful signal as better', () => {
    const report = findTrends({
      now: NOW,
      series: [
        series('frontend', 'request_rate', { days: 8, level: 100, change: from(NOW - DAY, 1.5) }),
        series('frontend', 'latency_p95', { days: 8, level: 0.2, amplitude: 0.1, change: from(NOW - DAY, 0.6) }),
      ],
    });
    expect(report.trends.map((trend) => [trend.signal, trend.direction, trend.rising])).toEqual([
      ['request_rate', 'traffic', true],
      ['latency_p95', 'better', false],
    ]);
  });

  it('does not take a single spike, however tall, for a trend', () => {
    const spike = (timestamp: number) => (timestamp > NOW - 5 * HOUR && timestamp <= NOW - 4 * HOUR ? 10 : 1);
    const report = findTrends({ now: NOW, series: [series('payment', 'latency_p95', { days: 8, level: 0.1, change: spike })] });
    expect(report.trends).toEqual([]);
  });

  it('ignores a change too small to matter however steady: a trickle of errors is under the floor', () => {
    const errors = series('payment', 'error_rate', { days: 8, level: 0.001, amplitude: 0, noise: 0.001, change: from(NOW - DAY, 3) });
    expect(findTrends({ now: NOW, series: [errors] }).trends).toEqual([]);
    const outage = series('payment', 'error_rate', { days: 8, level: 0.001, amplitude: 0, noise: 0.001, change: from(NOW - DAY, 40) });
    expect(findTrends({ now: NOW, series: [outage] }).trends).toMatchObject([{ signal: 'error_rate', direction: 'worse' }]);
  });

  it('falls back to day over day, the last 6 h against the same 6 h the day before, when the history is shorter than 8 days', () => {
    const report = findTrends({ now: NOW, series: [series('cart', 'memory', { days: 3, level: 400 * 2 ** 20, amplitude: 0.1, change: from(NOW - 6 * HOUR, 1.3) })] });
    expect(report.compared.map((made) => made.comparison)).toEqual([dayOverDay(NOW)]);
    expect(dayOverDay(NOW)).toEqual({ kind: 'day-over-day', after: { start: NOW - 6 * HOUR, end: NOW }, before: { start: NOW - 30 * HOUR, end: NOW - 24 * HOUR } });
    expect(report.trends).toMatchObject([{ signal: 'memory', comparison: { kind: 'day-over-day' }, sustainedHours: 6, comparedHours: 6 }]);
    expect(report.trends[0]!.relativeChange).toBeCloseTo(0.3, 1);

    const young = findTrends({ now: NOW, series: [series('cart', 'memory', { days: 1, level: 400 * 2 ** 20 })] });
    expect(young.trends).toEqual([]);
    expect(young.skipped).toEqual([{ service: 'cart', kind: 'day-over-day', signals: ['memory'], reason: 'less than 30 h of history' }]);
  });

  it('compares the hours since a deploy with the same hours the day before it', () => {
    const deployedAt = NOW - 10 * HOUR;
    const memory = series('cart', 'memory', { days: 3, level: 400 * 2 ** 20, amplitude: 0.1, change: from(deployedAt, 1.4) });
    const report = findTrends({ now: NOW, series: [memory], deployedAt: { cart: deployedAt } });
    expect(sinceDeploy(deployedAt, NOW)).toEqual({ kind: 'since-deploy', after: { start: deployedAt, end: NOW }, before: { start: deployedAt - DAY, end: NOW - DAY } });
    // Day over day sees 6 hours of it too; the since-deploy comparison sees all ten, and is the one kept.
    expect(report.trends).toHaveLength(1);
    expect(report.trends[0]).toMatchObject({ comparison: sinceDeploy(deployedAt, NOW), sustainedHours: 10, comparedHours: 10, direction: 'worse' });
    expect(report.trends[0]!.relativeChange).toBeCloseTo(0.4, 1);
    expect(report.compared.map((made) => made.comparison.kind)).toEqual(['day-over-day', 'since-deploy']);

    const fresh = findTrends({ now: NOW, series: [memory], deployedAt: { cart: NOW - HOUR } });
    expect(fresh.skipped).toEqual([{ service: 'cart', kind: 'since-deploy', signals: ['memory'], reason: 'deployed less than 3 h ago' }]);
  });

  it('counts restarts by their mean, so restarts that were not there before show as a trend "from none"', () => {
    // Every pod restarts about twice an hour since the deploy: most five-minute steps still show none.
    const deployedAt = NOW - 8 * HOUR;
    const samples = [];
    for (let timestamp = NOW - 3 * DAY; timestamp <= NOW; timestamp += STEP) samples.push({ timestamp, value: timestamp > deployedAt && (timestamp / STEP) % 6 === 0 ? 0.2 : 0 });
    const report = findTrends({ now: NOW, series: [{ service: 'cart', signal: 'restarts', samples }], deployedAt: { cart: deployedAt } });
    expect(report.trends).toHaveLength(1);
    expect(report.trends[0]).toMatchObject({ signal: 'restarts', before: 0, rising: true, direction: 'worse', comparison: { kind: 'since-deploy' } });
    expect(report.trends[0]!.relativeChange).toBeUndefined();
    expect(report.trends[0]!.after).toBeCloseTo(0.2 / 6, 3);
  });

  it('ranks a steadily climbing memory (a leak) above a smaller shift elsewhere', () => {
    const leak = (timestamp: number) => (timestamp > NOW - DAY ? 1 + (0.8 * (timestamp - (NOW - DAY))) / DAY : 1);
    const report = findTrends({
      now: NOW,
      series: [
        series('checkout', 'cpu', { days: 8, level: 0.4, change: from(NOW - DAY, 1.2), seed: 11 }),
        series('cart', 'memory', { days: 8, level: 300 * 2 ** 20, amplitude: 0.05, noise: 0.005, change: leak, seed: 12 }),
      ],
    });
    expect(report.trends.map((trend) => `${trend.service} ${trend.signal}`)).toEqual(['cart memory', 'checkout cpu']);
    expect(report.trends[0]!.sustainedHours).toBeGreaterThanOrEqual(23);
  });
});

describe('measureTrend', () => {
  it('says what is missing when a window holds too little data', () => {
    const empty = { service: 'cart', signal: 'cpu' as const, samples: [] };
    expect(measureTrend(empty, weekOverWeek(NOW))).toEqual({ missing: 'too little data in the last 24 h' });
    const recent = series('cart', 'cpu', { days: 2, level: 0.5 });
    expect(measureTrend(recent, weekOverWeek(NOW))).toEqual({ missing: 'less than 8 days of history' });
    expect(measureTrend(recent, sinceDeploy(NOW - 5 * DAY, NOW))).toEqual({ missing: 'too little data since the deploy' });
  });
});
