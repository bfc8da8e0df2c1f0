import { formatSignalValue, type Signal } from '../signals.js';
import type { Anomaly } from './anomaly.js';
import { compileIsolationForest, packIsolationForestText, scoreCompiledForest, unpackIsolationForestText, type CompiledIsolationForest } from './compiled-forest.js';
import { deserialiseIsolationForest, fitIsolationForest } from './isolation-forest.js';
import { median } from './median.js';

/**
 * A service's multivariate view: an Isolation Forest over its standard signals at the same
 * instants, trained on recent history. It catches combinations no single signal shows (traffic
 * normal but CPU high; latency normal but errors and restarts both up a little).
 */
export interface ServiceModel {
  features: Signal[];
  /** In the scoring layout (compiled-forest.ts): a worker keeps one per service. */
  forest: CompiledIsolationForest;
  /** Per-feature median and robust scale of the training rows: which signals are off, in words. */
  medians: number[];
  scales: number[];
  /** Scores above this are more isolated than anything in training (plus a margin). */
  threshold: number;
}

export interface TimedRow {
  timestamp: number;
  values: number[];
}

export interface ServiceModelOptions {
  /** Seed of the forest (default 1): the same history gives the same model on every worker. */
  seed?: number;
  /** Added to the highest training score to make the alert threshold (default 0.05). */
  margin?: number;
  /** Consecutive rows above the threshold before an anomaly is raised (default 2): one odd minute is noise. */
  consecutiveRows?: number;
}

/** Trains on rows of finite values, one column per feature. Needs at least 64 rows to mean anything. */
export function trainServiceModel(features: Signal[], rows: number[][], options: ServiceModelOptions = {}): ServiceModel | undefined {
  if (rows.length < 64) return undefined;
  const forest = compileIsolationForest(fitIsolationForest(rows, { seed: options.seed ?? 1 }));
  const trainingScores = scoreCompiledForest(forest, rows);
  const highest = trainingScores.reduce((maximum, score) => Math.max(maximum, score), 0);
  const medians = features.map((_, column) => median(rows.map((row) => row[column]!))!);
  const scales = features.map((_, column) => {
    const deviations = rows.map((row) => Math.abs(row[column]! - medians[column]!));
    return Math.max(1.4826 * median(deviations)!, Math.abs(medians[column]!) * 0.01, 1e-9);
  });
  return { features, forest, medians, scales, threshold: Math.min(0.95, highest + (options.margin ?? 0.05)) };
}

/** Anomalies among the rows at or after `emitFrom`: runs of `consecutiveRows` scores above the threshold. */
export function multivariateAnomalies(service: string, model: ServiceModel, rows: TimedRow[], emitFrom: number, options: ServiceModelOptions = {}): Anomaly[] {
  if (rows.length === 0) return [];
  const needed = options.consecutiveRows ?? 2;
  const scores = scoreCompiledForest(model.forest, rows.map((row) => row.values));
  const anomalies: Anomaly[] = [];
  let run = 0;
  rows.forEach((row, index) => {
    run = scores[index]! > model.threshold ? run + 1 : 0;
    if (run !== needed || row.timestamp < emitFrom) return;
    const deviations = model.features
      .map((signal, column) => ({ signal, value: row.values[column]!, z: (row.values[column]! - model.medians[column]!) / model.scales[column]! }))
      .sort((left, right) => Math.abs(right.z) - Math.abs(left.z))
      .slice(0, 2);
    anomalies.push({
      id: `${service}:multivariate:${row.timestamp}`,
      kind: 'anomaly',
      service,
      signals: deviations.map((deviation) => deviation.signal),
      score: scores[index]!,
      severity: 'warning',
      detectedAt: row.timestamp,
      evidence: { start: row.timestamp - 30 * 60_000, end: row.timestamp },
      summary: `${service}: unusual combination of signals, most of all ${deviations.map((deviation) => `${deviation.signal} ${formatSignalValue(deviation.signal, deviation.value)}`).join(' and ')}`,
    });
  });
  return anomalies;
}

/** How `forest` is written in the stored text: `packed` (packIsolationForestText); absent, the node tables of serialiseIsolationForest (models stored before). */
const FOREST_ENCODING = 'packed';

/** JSON text for Redis: the summaries, and the forest packed (about 8 characters a node, a quarter of the node tables' text). */
export function serialiseServiceModel(model: ServiceModel): string {
  return JSON.stringify({ ...model, forest: packIsolationForestText(model.forest), forestEncoding: FOREST_ENCODING });
}

/** Reads `serialiseServiceModel`'s text, and the node-table text that models stored before were written in. */
export function deserialiseServiceModel(text: string): ServiceModel {
  const { forest, forestEncoding, ...parsed } = JSON.parse(text) as Omit<ServiceModel, 'forest'> & { forest: string; forestEncoding?: string };
  return { ...parsed, forest: forestEncoding === FOREST_ENCODING ? unpackIsolationForestText(forest) : compileIsolationForest(deserialiseIsolationForest(forest)) };
}

