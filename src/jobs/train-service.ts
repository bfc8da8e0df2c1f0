import { hashKey } from '../hash-key.js';
import type { Logger } from '../logger.js';
import type { MetricsSource } from '../sources/metrics.js';
import { SIGNALS, type Sample, type Signal } from '../signals.js';
import { serialiseServiceModel, trainServiceModel } from '../detection/service-model.js';
import type { ModelStore } from '../state/model-store.js';

export interface TrainingOptions {
  /** History the model learns from, hours (default 72: three days of the daily cycle). */
  historyHours?: number;
  /** Resolution of the training rows, seconds (default 300). */
  stepSeconds?: number;
}

export interface TrainingDependencies {
  metrics: MetricsSource;
  models: ModelStore;
  now: () => number;
  logger: Logger;
  options?: TrainingOptions;
}

/** Retrains a service's multivariate model from its recent history and stores it for every worker. */
export async function trainService(service: string, dependencies: TrainingDependencies): Promise<{ service: string; rows: number; trained: boolean }> {
  const hours = dependencies.options?.historyHours ?? 72;
  const step = dependencies.options?.stepSeconds ?? 300;
  const end = Math.floor(dependencies.now() / (step * 1000)) * step * 1000;
  const range = { start: new Date(end - hours * 3_600_000), end: new Date(end), stepSeconds: step };
  const series = await Promise.all(SIGNALS.map(async (signal) => [signal, (await dependencies.metrics.range(service, signal, range)).samples] as const));
  const rows = alignRows(new Map(series), SIGNALS).map((row) => row.values);
  // The seed comes from the service, so every worker trains the same forest from the same history.
  const model = trainServiceModel([...SIGNALS], rows, { seed: hashKey('isolation-forest', service) });
  if (!model) {
    dependencies.logger.info({ service, rows: rows.length }, 'not enough history to train the multivariate model yet');
    return { service, rows: rows.length, trained: false };
  }
  await dependencies.models.save(service, { model: serialiseServiceModel(model), trainedAt: end, features: [...SIGNALS] });
  dependencies.logger.info({ service, rows: rows.length }, 'multivariate model trained');
  return { service, rows: rows.length, trained: true };
}

/** Rows at the instants where every feature has a finite sample, oldest first. */
export function alignRows(series: Map<Signal, Sample[]>, features: readonly Signal[]): Array<{ timestamp: number; values: number[] }> {
  const columns = features.map((signal) => new Map((series.get(signal) ?? []).map((sample) => [sample.timestamp, sample.value])));
  const instants = [...(columns[0]?.keys() ?? [])].sort((left, right) => left - right);
  return instants
    .map((timestamp) => ({ timestamp, values: columns.map((column) => column.get(timestamp) ?? Number.NaN) }))
    .filter((row) => row.values.every(Number.isFinite));
}
