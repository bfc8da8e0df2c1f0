import type { QuantityUnit } from '../format-quantity.js';
import type { MetricSeries } from './root-cause-input.js';
import { metricDirection, metricRole, type MetricDirection, type MetricRole } from './metric-role.js';
import { finiteValues, quantile, referenceBaseline, robustBaseline, signedRobustZ, type ScaleFloor } from './robust-z.js';

/** Which samples are normal and which anomalous, in milliseconds. */
export interface IncidentWindows {
  anomalyStart: number;
  anomalyEnd: number;
  normalStart: number;
  /** Samples after anomalyEnd are fault-free reference data and join the normal period. */
  normalAfterEnd: boolean;
}

export interface MetricScoring {
  floor: ScaleFloor;
  /** The quantile of the anomalous window's robust z that scores the metric (1 = its maximum, BARO/NSigma style). */
  anomalyQuantile: number;
  /** A sample whose robust z exceeds this marks the onset. */
  onsetZ: number;
  /**
   * Count only moves in the direction that hurts (latency up, availability down: metricDirection),
   * take a near-constant reference's blips as its scale, and hold a z measured against a flat
   * reference to flatZ. Off: the plain two-sided robust z (the NSigma baseline).
   */
  directional?: boolean;
  /** The largest z a flat reference can give (it says the metric moved, not how far): default 20. */
  flatZ?: number;
  /** The largest z any reference can give (default: unbounded). */
  maximumZ?: number;
}

/** How far one metric moved during the incident. */
export interface MetricSignal {
  service: string;
  metric: string;
  role: MetricRole;
  direction: MetricDirection;
  /** The series' unit, when it has one. */
  unit?: QuantityUnit;
  /** The normal period's median. */
  normal: number;
  /** The anomalous window's most extreme sample (farthest from normal the way that hurts). */
  observed: number;
  /** The anomalous window's robust z at the chosen quantile, in the harmful direction; finite, ≥ 0. */
  zScore: number;
  /** The first anomalous sample above the onset threshold, if any. */
  onset?: number;
}

const DEFAULT_FLAT_Z = 20;
const DEFAULT_MAXIMUM_Z = Number.POSITIVE_INFINITY;

/** Undefined when either period has no finite sample: there is nothing to compare. */
export function measureMetric(series: MetricSeries, windows: IncidentWindows, scoring: MetricScoring): MetricSignal | undefined {
  const normalValues: number[] = [];
  const anomalous: Array<{ at: number; value: number }> = [];
  series.timestamps.forEach((at, index) => {
    const value = series.values[index]!;
    if (!Number.isFinite(value)) return;
    if (at >= windows.anomalyStart && at <= windows.anomalyEnd) anomalous.push({ at, value });
    else if ((at >= windows.normalStart && at < windows.anomalyStart) || (windows.normalAfterEnd && at > windows.anomalyEnd)) normalValues.push(value);
  });
  const directional = scoring.directional ?? false;
  const baseline = directional ? referenceBaseline(normalValues, scoring.floor) : { ...robustBaseline(normalValues, scoring.floor), floored: false };
  if (anomalous.length === 0 || Number.isNaN(baseline.median)) return undefined;
  const direction = directional ? metricDirection(series.metric) : 'either';
  // Bad events (restarts, errors) after a reference without one are news however few; any other flat reference says only that the metric moved.
  const neverBefore = direction === 'up' && baseline.median === 0;
  const limit = baseline.floored && !neverBefore ? (scoring.flatZ ?? DEFAULT_FLAT_Z) : (scoring.maximumZ ?? DEFAULT_MAXIMUM_Z);
  const zScores = anomalous.map((sample) => {
    const signed = signedRobustZ(sample.value, baseline);
    const harmful = direction === 'up' ? signed : direction === 'down' ? -signed : Math.abs(signed);
    return Math.min(limit, Math.max(0, harmful));
  });
  let extreme = 0;
  zScores.forEach((zScore, index) => {
    if (zScore > zScores[extreme]!) extreme = index;
  });
  const onsetIndex = zScores.findIndex((zScore) => zScore > scoring.onsetZ);
  return {
    service: series.service,
    metric: series.metric,
    role: metricRole(series.metric),
    direction,
    ...(series.unit === undefined ? {} : { unit: series.unit }),
    normal: baseline.median,
    observed: anomalous[extreme]!.value,
    zScore: quantile(finiteValues(zScores), scoring.anomalyQuantile),
    ...(onsetIndex >= 0 ? { onset: anomalous[onsetIndex]!.at } : {}),
  };
}
