/**
 * The plain NSigma baseline the ranking is compared with: every metric's maximum robust z over the
 * anomalous window, metrics ranked by it, reduced to services by first appearance. No metric roles,
 * no onset, no graph, no context.
 */
import { measureMetric } from '../src/rca/metric-evidence.js';
import { DEFAULT_RANK_OPTIONS } from '../src/rca/rank-options.js';
import type { RootCauseInput } from '../src/rca/root-cause-input.js';

export function nsigmaServices(input: RootCauseInput): string[] {
  const anomalyEnd = input.anomalyEnd ?? Number.POSITIVE_INFINITY;
  const windows = { anomalyStart: input.anomalyStart, anomalyEnd, normalStart: input.normalStart ?? Number.NEGATIVE_INFINITY, normalAfterEnd: input.normalAfterEnd ?? false };
  const scoring = { floor: DEFAULT_RANK_OPTIONS.scaleFloor, anomalyQuantile: 1, onsetZ: DEFAULT_RANK_OPTIONS.onsetZ, directional: false };
  const signals = input.series.flatMap((series) => measureMetric(series, windows, scoring) ?? []);
  signals.sort((left, right) => right.zScore - left.zScore);
  return [...new Set(signals.map((signal) => signal.service))];
}
