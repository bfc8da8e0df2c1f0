import { describe, expect, it } from 'vitest';
import { rankRootCauses } from '../../src/rca/rank-root-causes.js';
import type { MetricSeries, RootCauseInput } from '../../src/rca/root-cause-input.js';
import { referenceBaseline } from '../../src/rca/robust-z.js';
import { START, syntheticSeries } from './synthetic-series.js';

const NORMAL_SAMPLES = 60;
const { timestamps: TIMESTAMPS, series } = syntheticSeries(NORMAL_SAMPLES, 10, (service, metric) => service.length + metric.length);

const order = (input: RootCauseInput): string[] => rankRootCauses(input).ranking.map((cause) => cause.service);

describe('rankRootCauses reads which way a metric hurts', () => {
  it('does not take an improvement for a fault: availability up and latency down are good news', () => {
    const input: RootCauseInput = {
      anomalyStart: START,
      series: [
        series('search', 'availability', 97, 0.5, () => 3), // 97% → 100%: better
        series('search', 'latency', 0.2, 0.01, () => -0.15), // faster
        series('payments', 'availability', 99.5, 0.2, () => -4), // 99.5% → 95.5%: worse
      ],
    };
    const ranking = rankRootCauses(input).ranking;
    expect(ranking[0]!.service).toBe('payments');
    const search = ranking.find((cause) => cause.service === 'search')!;
    expect(search.score).toBeLessThan(0.5);
    expect(search.evidence.every((item) => (item.zScore ?? 0) === 0)).toBe(true);
  });

  it('keeps a constant reference from exploding: a flat metric that moves does not outweigh a real jump', () => {
    const flat: MetricSeries = { ...series('gateway', 'client_latency_p99', 0, 0), values: TIMESTAMPS.map((_, index) => (index >= NORMAL_SAMPLES + 5 ? 3474 : 0.00496)) };
    const input: RootCauseInput = { anomalyStart: START, series: [flat, series('basic', 'cpu', 6, 2, () => 490)] };
    const ranking = rankRootCauses(input).ranking;
    expect(ranking.map((cause) => cause.service)).toEqual(['basic', 'gateway']);
    const gateway = ranking[1]!.evidence[0]!;
    expect(gateway.zScore).toBeLessThanOrEqual(20);
    expect(ranking.every((cause) => Number.isFinite(cause.score))).toBe(true);
  });

  it('takes a mostly constant reference’s blips as its scale, and ignores float noise on a flat one', () => {
    const blips = Array.from({ length: 40 }, (_, index) => (index % 8 === 0 ? 0.0242 : 0.00496));
    const withBlips = referenceBaseline(blips, { relative: 0.01, absolute: 1e-6 });
    expect(withBlips.floored).toBe(false);
    expect(withBlips.scale).toBeGreaterThan(0.001);
    const noisyFlat = referenceBaseline([0.3, 0.1 + 0.2, 0.3, 0.30000000000000004], { relative: 0.01, absolute: 1e-6 });
    expect(noisyFlat.floored).toBe(true);
    expect(noisyFlat.median).toBeCloseTo(0.3, 12);
    expect(noisyFlat.scale).toBeCloseTo(0.003, 9);
  });
});

describe('rankRootCauses with a symptom and a call graph', () => {
  // front → search → index; front → ads. index slows down and search and front feel it; ads jumps on its own, out of step with the symptom.
  const slowdown = (index: number): number => [0.05, 0.3, 0.5, 0.4, 0.3, 0.3, 0.2, 0.1, 0.05, 0][index] ?? 0;
  const seriesList = [
    series('front', 'latency', 0.1, 0.005, (index) => slowdown(index) + 0.02),
    series('search', 'latency', 0.05, 0.003, (index) => slowdown(index) + 0.01),
    series('index', 'latency', 0.02, 0.002, slowdown),
    series('ads', 'latency', 0.03, 0.002, (index) => (index >= 6 ? 2 : 0)),
  ];
  const graph: Array<[string, string]> = [
    ['front', 'search'],
    ['search', 'index'],
    ['front', 'ads'],
  ];

  it('pulls the ranking to the service whose anomaly explains the symptom along the calls', () => {
    const without = order({ anomalyStart: START, series: seriesList });
    expect(without[0]).toBe('ads');
    const ranking = rankRootCauses({ anomalyStart: START, series: seriesList, graph, symptom: { service: 'front', metric: 'latency' } }).ranking;
    expect(ranking[0]!.service).toBe('index');
    expect(ranking[0]!.evidence.map((item) => item.summary).join('\n')).toMatch(/latency moves with front's latency \(correlation (0\.9\d|1\.00)\)/);
    // search is as slow, but only through index.
    const search = ranking.find((cause) => cause.service === 'search')!;
    const searchLink = search.evidence.find((item) => item.summary.includes('moves with'));
    expect(searchLink?.summary).toMatch(/mostly through index$/);
    expect(searchLink!.weight).toBeLessThan(0.2 * ranking[0]!.evidence.find((item) => item.summary.includes('moves with'))!.weight);
    expect(ranking.findIndex((cause) => cause.service === 'index')).toBeLessThan(ranking.findIndex((cause) => cause.service === 'ads'));
  });

  it('rules out a service the symptom cannot reach along the calls', () => {
    const stray = series('batch', 'latency', 0.05, 0.003, (index) => slowdown(index) * 3);
    const ranking = rankRootCauses({ anomalyStart: START, series: [...seriesList, stray], graph: [...graph, ['batch', 'index']], symptom: { service: 'front', metric: 'latency' } }).ranking;
    const batch = ranking.find((cause) => cause.service === 'batch')!;
    expect(batch.evidence.some((item) => item.kind === 'graph' && item.weight < 0 && /no call path leads from front/.test(item.summary))).toBe(true);
    expect(ranking[0]!.service).toBe('index');
  });
});
