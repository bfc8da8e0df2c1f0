import { describe, expect, it } from 'vitest';
import { describeDeviation, formatMetricValue, LARGEST_Z_SHOWN } from '../../src/rca/evidence-text.js';
import { metricEvidence } from '../../src/rca/metric-score.js';
import { DEFAULT_RANK_OPTIONS } from '../../src/rca/rank-options.js';

describe('describeDeviation: robust z-scores capped in text', () => {
  it('shows a z-score while it means something', () => {
    expect(describeDeviation(6.123)).toBe('robust z 6.12');
    expect(describeDeviation(LARGEST_Z_SHOWN)).toBe('robust z 10');
  });

  it('says "far above normal" instead of a z of millions', () => {
    expect(describeDeviation(4_000_000, 'above')).toBe('far above normal');
    expect(describeDeviation(1480, 'below')).toBe('far below normal');
    expect(describeDeviation(Number.POSITIVE_INFINITY)).toBe('far from normal');
  });
});

describe('metric evidence lines', () => {
  const signal = { service: 'payment', metric: 'error_rate', role: 'symptom' as const, direction: 'up' as const, normal: 0.000865, observed: 0.351, zScore: 4_000_000, onset: Date.UTC(2026, 10, 24, 14, 41) };

  it('write a standard signal in its unit and cap the z-score', () => {
    expect(metricEvidence({ ...signal, unit: 'ratio' }, DEFAULT_RANK_OPTIONS).summary).toBe('error_rate 35.1% (normally 0.09%), far above normal, from 14:41:00 UTC');
    const memory = { ...signal, metric: 'memory', unit: 'bytes' as const, normal: 574_009_851, observed: 1_111_880_341, zScore: 7.5 };
    expect(metricEvidence(memory, DEFAULT_RANK_OPTIONS).summary).toBe('memory 1 GiB (normally 547 MiB), robust z 7.5, from 14:41:00 UTC');
  });

  it('write a series without a unit (offline cases) as a plain number', () => {
    expect(formatMetricValue(0.351, undefined)).toBe('0.351');
    expect(metricEvidence(signal, DEFAULT_RANK_OPTIONS).summary).toBe('error_rate 0.351 (normally 0.000865), far above normal, from 14:41:00 UTC');
  });
});
