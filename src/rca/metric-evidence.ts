import type { QuantityUnit } from '../format-quantity.js';
import type { MetricSeries } from './root-cause-input.js';
import { metricRole, type MetricRole } from './metric-role.js';
import { finiteValues, quantile, robustBaseline, robustZ, type ScaleFloor } from './robust-z.js';

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
}

/** How far one metric moved during the incident. */
export interface MetricSignal {
  service: string;
  metric: string;
  role: MetricRole;
  /** The series' unit, when it has one. */
  unit?: QuantityUnit;
  /** The normal period's median. */
  normal: number;
  /** The anomalous window's most extreme sample (farthest from normal). */
  observed: number;
  /** The anomalous window's robust z at the chosen quantile; finite, ≥ 0. */
  zScore: number;
  /** The first anomalous sample above the onset threshold, if any. */
  onset?: number;
}

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
  const baseline = robustBaseline(normalValues, scoring.floor);
  if (anomalous.length === 0 || Number.isNaN(baseline.median)) return undefined;
  const zScores = anomalous.map((sample) => robustZ(sample.value, baseline));
  let extreme = 0;
  zScores.forEach((zScore, index) => {
    if (zScore > zScores[extreme]!) extreme = index;
  });
  const onsetIndex = zScores.findIndex((zScore) => zScore > scoring.onsetZ);
  return {
    service: series.service,
    metric: series.metric,
    role: metricRole(series.metric),
    ...(series.unit === undefined ? {} : { unit: series.unit }),
    normal: baseline.median,
    observed: anomalous[extreme]!.value,
    zScore: quantile(finiteValues(zScores), scoring.anomalyQuantile),
    ...(onsetIndex >= 0 ? { onset: anomalous[onsetIndex]!.at } : {}),
  };
}
