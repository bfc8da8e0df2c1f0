import { describeDeviation, formatMetricValue, formatTime } from './evidence-text.js';
import type { MetricSignal } from './metric-evidence.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';

/**
 * What one metric adds to its service: log(1 + z), so a z of 1,000 is not a hundred times a z of
 * 10 and context evidence can still matter; latency, error and traffic metrics count less because
 * callers of a faulty service feel them too.
 */
export function metricWeight(signal: MetricSignal, options: ResolvedRankOptions): number {
  const roleWeight = signal.role === 'symptom' ? options.symptomWeight : 1;
  return Math.log1p(roleWeight * signal.zScore);
}

export function metricEvidence(signal: MetricSignal, options: ResolvedRankOptions): RootCauseEvidence {
  const onset = signal.onset === undefined ? '' : `, from ${formatTime(signal.onset)}`;
  const value = (number: number) => formatMetricValue(number, signal.unit);
  return {
    kind: 'metric',
    summary: `${signal.metric} ${value(signal.observed)} (normally ${value(signal.normal)}), ${describeDeviation(signal.zScore, signal.observed >= signal.normal ? 'above' : 'below')}${onset}`,
    weight: metricWeight(signal, options),
    metric: signal.metric,
    ...(signal.onset === undefined ? {} : { at: signal.onset }),
    normal: signal.normal,
    observed: signal.observed,
    zScore: signal.zScore,
  };
}

/**
 * A service's metric score: its strongest metric plus a share of the second, so a service that
 * moved on two fronts edges out one with a single equally strong metric. Returns the evidence
 * strongest first, each weighted by what it added to the score.
 */
export function serviceMetricEvidence(signals: readonly MetricSignal[], options: ResolvedRankOptions): RootCauseEvidence[] {
  const evidence = signals.map((signal) => metricEvidence(signal, options)).sort((left, right) => right.weight - left.weight);
  return evidence.map((item, index) => ({ ...item, weight: index === 0 ? item.weight : index === 1 ? options.secondMetricShare * item.weight : 0 }));
}
