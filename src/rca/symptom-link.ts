import type { IncidentWindows, MetricSignal } from './metric-evidence.js';
import { metricDirection, metricKind, metricRole } from './metric-role.js';
import type { MetricSeries, RootCauseInput } from './root-cause-input.js';
import { median } from './robust-z.js';

/** How strongly one service's anomaly follows the symptom the incident was raised on. */
export interface SymptomLink {
  /** Pearson correlation in [0, 1] of its best-matching anomalous metric with the symptom, both turned so that up means worse. */
  correlation: number;
  /** That metric. */
  metric: string;
  /** The symptom's metric it was compared with. */
  symptomMetric: string;
}

/**
 * A series' samples around the incident, by time, turned so that a larger value is worse. Around:
 * the anomalous window and as long again before it. Reference data from another period (recorded
 * months later, under other traffic) would correlate on the shift between the periods, not on the
 * incident.
 */
function harmfulSamples(series: MetricSeries, windows: IncidentWindows): Map<number, number> {
  const from = Math.max(windows.normalStart, windows.anomalyStart - Math.max(0, windows.anomalyEnd - windows.anomalyStart));
  const kept: Array<[number, number]> = [];
  series.timestamps.forEach((at, index) => {
    const value = series.values[index]!;
    if (Number.isFinite(value) && at >= from && at <= windows.anomalyEnd) kept.push([at, value]);
  });
  const direction = metricDirection(series.metric);
  if (direction === 'up') return new Map(kept);
  if (direction === 'down') return new Map(kept.map(([at, value]) => [at, -value]));
  // Either way may hurt: the distance from the usual level is what grows with the fault.
  const usual = median(kept.map(([, value]) => value));
  return new Map(kept.map(([at, value]) => [at, Math.abs(value - usual)]));
}

/** Pearson correlation over the times both series have; 0 when fewer than three are shared or either is flat. */
function correlation(left: ReadonlyMap<number, number>, right: ReadonlyMap<number, number>): number {
  const pairs: Array<[number, number]> = [];
  for (const [at, value] of left) {
    const other = right.get(at);
    if (other !== undefined) pairs.push([value, other]);
  }
  if (pairs.length < 3) return 0;
  const meanLeft = pairs.reduce((sum, [value]) => sum + value, 0) / pairs.length;
  const meanRight = pairs.reduce((sum, [, value]) => sum + value, 0) / pairs.length;
  let covariance = 0;
  let varianceLeft = 0;
  let varianceRight = 0;
  for (const [leftValue, rightValue] of pairs) {
    covariance += (leftValue - meanLeft) * (rightValue - meanRight);
    varianceLeft += (leftValue - meanLeft) ** 2;
    varianceRight += (rightValue - meanRight) ** 2;
  }
  if (varianceLeft <= 0 || varianceRight <= 0) return 0;
  return covariance / Math.sqrt(varianceLeft * varianceRight);
}

/**
 * Each anomalous service's link to the symptom: how closely its anomalous metrics rise and fall with
 * the symptom's metric across the reference and the incident. A service whose trouble follows the
 * symptom sample by sample can explain it; one that merely moved at the same time less so. The
 * PetShop authors found correlation with the target, among anomalous variables, a strong baseline.
 * Only metrics that moved (robust z at least movedZ: the onset threshold) are compared: correlation alone would
 * favour anything that shares the daily traffic curve.
 *
 * The symptom's metric is the one named, or else the symptom service's most anomalous symptom
 * metric (latency, errors, traffic). Empty when the symptom has no such series.
 */
export function symptomLinks(input: RootCauseInput, windows: IncidentWindows, signals: ReadonlyMap<string, readonly MetricSignal[]>, movedZ: number, crossKindShare: number): Map<string, SymptomLink> {
  const links = new Map<string, SymptomLink>();
  const symptom = input.symptom;
  if (!symptom) return links;
  const symptomSignals = signals.get(symptom.service) ?? [];
  const named = symptom.metric === undefined ? undefined : symptomSignals.find((signal) => signal.metric === symptom.metric);
  const strongest = [...symptomSignals].filter((signal) => metricRole(signal.metric) === 'symptom').sort((left, right) => right.zScore - left.zScore)[0];
  const symptomMetric = (named ?? strongest)?.metric;
  const symptomSeries = input.series.find((series) => series.service === symptom.service && series.metric === symptomMetric);
  if (!symptomSeries || symptomMetric === undefined) return links;
  const target = harmfulSamples(symptomSeries, windows);
  const symptomKind = metricKind(symptomMetric);

  for (const series of input.series) {
    const signal = signals.get(series.service)?.find((candidate) => candidate.metric === series.metric);
    if (!signal || signal.zScore < movedZ) continue;
    // The symptom's service is linked by definition, through the symptom itself; whether its callees explain it is the graph's question.
    if (series.service === symptom.service) {
      if (series.metric === symptomMetric) links.set(series.service, { correlation: 1, metric: series.metric, symptomMetric });
      continue;
    }
    // A fault reaches the symptom as the same kind of trouble (errors as errors, slowness as slowness); another kind moving in step may be a consequence.
    const likeness = metricKind(series.metric) === symptomKind ? 1 : crossKindShare;
    const linked = Math.max(0, correlation(harmfulSamples(series, windows), target)) * likeness;
    if (linked > (links.get(series.service)?.correlation ?? 0)) links.set(series.service, { correlation: linked, metric: series.metric, symptomMetric });
  }
  return links;
}
