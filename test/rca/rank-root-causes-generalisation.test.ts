import { describe, expect, it } from 'vitest';
import { rankRootCauses } from '../../src/rca/rank-root-causes.js';
import type { RootCauseInput } from '../../src/rca/root-cause-input.js';
import { START, syntheticSeries } from './synthetic-series.js';

/**
 * The rules that carry the ranking beyond one case set (bench:rca --ablation measures each): a
 * caller-side view is not the fault behind it, like links like, a service at its limit is
 * saturated, a z cannot grow without bound, and a callee explains its caller in proportion.
 */
const { series } = syntheticSeries(30, 5, (service, metric) => service.length * 7 + metric.length);
const order = (input: RootCauseInput): string[] => rankRootCauses(input).ranking.map((cause) => cause.service);
const ramp = (index: number): number => [0.4, 0.9, 1, 1, 0.8][index] ?? 0;

describe('rankRootCauses beyond one case set', () => {
  it('looks behind a node only its callers measure: the load balancer in front of search is not the fault', () => {
    const input: RootCauseInput = {
      anomalyStart: START,
      symptom: { service: 'site', metric: 'latency' },
      graph: [
        ['site', 'search-lb-remote'],
        ['site', 'search'],
      ],
      series: [
        series('site', 'latency', 0.2, 0.01, (index) => ramp(index) * 1.02),
        series('search-lb-remote', 'latency', 0.03, 0.001, (index) => ramp(index) * 1.01),
        series('search', 'latency', 0.02, 0.001, (index) => ramp(index)),
      ],
    };
    const ranking = rankRootCauses(input).ranking;
    expect(ranking[0]!.service).toBe('search');
    const view = ranking.find((cause) => cause.service === 'search-lb-remote')!;
    expect(view.evidence.some((item) => item.weight < 0 && /measured only from its callers’ side/.test(item.summary))).toBe(true);
  });

  it('links like with like: errors explain failing requests better than a latency that moved with them', () => {
    const failing = (index: number): number => -[5, 12, 14, 13, 9][index]!;
    const input: RootCauseInput = {
      anomalyStart: START,
      symptom: { service: 'site', metric: 'availability' },
      graph: [
        ['site', 'payments'],
        ['site', 'queue'],
      ],
      series: [
        series('site', 'availability', 100, 0.05, failing),
        series('payments', 'availability', 100, 0.05, (index) => failing(index) * 1.5),
        // queue's latency follows the failures as exactly, and jumps further from its normal.
        series('queue', 'latency', 0.01, 0.0005, (index) => -failing(index) * 0.01),
      ],
    };
    const ranking = rankRootCauses(input).ranking;
    expect(ranking[0]!.service).toBe('payments');
    const queueLink = ranking.find((cause) => cause.service === 'queue')!.evidence.find((item) => /moves with/.test(item.summary))!;
    expect(queueLink.summary).toMatch(/correlation 0\.[45]\d/);
  });

  it('names a service pinned at its CPU limit, whatever the z-scores of the services that wait for it', () => {
    const input: RootCauseInput = {
      anomalyStart: START,
      series: [
        series('contacts', 'cpu_usage_rate', 1, 0.3, () => 99),
        series('contacts', 'cpu_usage', 5, 1.5, () => 495),
        // Callers whose latency sits on a tiny spread: z in the tens of thousands.
        series('orders', 'server_latency_p95', 0.0046, 0.0002, (index) => (index >= 1 ? 25 : 0)),
        series('travel', 'server_latency_p95', 0.0047, 0.0002, (index) => (index >= 1 ? 23 : 0)),
      ],
    };
    const ranking = rankRootCauses(input).ranking;
    expect(ranking[0]!.service).toBe('contacts');
    expect(ranking[0]!.evidence.map((item) => item.summary)).toContain('cpu_usage_rate at 100% of its limit (normally 1.0%): saturated');
  });

  it('does not call saturated a service that was near its limit already, or a node-wide share', () => {
    const ranking = rankRootCauses({
      anomalyStart: START,
      series: [series('busy', 'cpu_usage_rate', 80, 2, () => 15), series('shared', 'node_cpu_usage_rate', 10, 1, () => 88)],
    }).ranking;
    expect(ranking.flatMap((cause) => cause.evidence).some((item) => /saturated/.test(item.summary))).toBe(false);
  });

  it('lets a callee explain its caller in proportion: cache 13 times slower explains cart 10 times slower, though it adds fewer milliseconds', () => {
    const input: RootCauseInput = {
      anomalyStart: START,
      symptom: { service: 'cart', metric: 'latency_p95' },
      graph: [['cart', 'cache']],
      series: [series('cart', 'latency_p95', 0.024, 0.001, (index) => ramp(index) * 0.22), series('cache', 'latency_p95', 0.0048, 0.0002, (index) => ramp(index) * 0.057)],
    };
    expect(order(input)[0]).toBe('cache');
  });

  it('holds a z to 1000: beyond it the z measures how tiny the reference spread was, not the incident', () => {
    const ranking = rankRootCauses({ anomalyStart: START, series: [series('orders', 'server_latency_p95', 0.0046, 0.0002, () => 25)] }).ranking;
    expect(ranking[0]!.evidence[0]!.zScore).toBe(1000);
  });
});
