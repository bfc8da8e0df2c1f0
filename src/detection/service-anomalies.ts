import { SYMPTOM_SIGNALS, formatSignalValue, type Sample, type Signal } from '../signals.js';
import type { Anomaly, AnomalySeverity } from './anomaly.js';
import { median } from './median.js';

/** One signal's newly scored samples, with the history before them for context. */
export interface ScoredSignal {
  signal: Signal;
  /** The samples just scored, oldest first. */
  samples: Sample[];
  /** Their anomaly scores, one per sample. */
  scores: number[];
  /** Samples before `samples` (at least an hour when available): what "usual" means in a summary. */
  history: Sample[];
}

export interface ServiceAnomalyOptions {
  /** A signal is anomalous at a sample when its score reaches this (the detector's recommended alert threshold). */
  threshold: number;
  /** Only samples at or after this time raise anomalies; older ones only train the detectors (catch-up, warm-up). */
  emitFrom: number;
}

/**
 * Turns per-signal scores into anomalies: every sample time at which one or more signals of the
 * service reach the threshold becomes one anomaly naming all of them. Pure: the caller fetched
 * the samples and ran the detectors.
 */
export function serviceAnomalies(service: string, scored: ScoredSignal[], options: ServiceAnomalyOptions): Anomaly[] {
  const firing = new Map<number, Array<{ signal: Signal; score: number; value: number; usual: number | undefined }>>();
  for (const { signal, samples, scores, history } of scored) {
    const all = [...history, ...samples];
    samples.forEach((sample, index) => {
      const score = scores[index] ?? 0;
      if (score < options.threshold || sample.timestamp < options.emitFrom) return;
      const usual = usualBefore(all, history.length + index);
      if (!materialChange(signal, sample.value, usual)) return;
      const entry = { signal, score, value: sample.value, usual };
      firing.set(sample.timestamp, [...(firing.get(sample.timestamp) ?? []), entry]);
    });
  }
  return [...firing.entries()]
    .sort(([left], [right]) => left - right)
    .map(([timestamp, entries]) => {
      entries.sort((left, right) => right.score - left.score);
      const signals = entries.map((entry) => entry.signal);
      return {
        id: `${service}:anomaly:${timestamp}`,
        kind: 'anomaly' as const,
        service,
        signals,
        score: entries[0]!.score,
        severity: severityOf(entries),
        detectedAt: timestamp,
        evidence: { start: timestamp - 30 * 60_000, end: timestamp },
        baseline: Object.fromEntries(entries.filter((entry) => entry.usual !== undefined).map((entry) => [entry.signal, entry.usual!])),
        summary: describeSignalChanges(service, entries),
      };
    });
}

/** What "usual" means for `samples[index]`: the median of the samples in the hour before it. `samples` oldest first. */
export function usualBefore(samples: readonly Sample[], index: number): number | undefined {
  const since = samples[index]!.timestamp - 3_600_000;
  const values: number[] = [];
  for (let earlier = index - 1; earlier >= 0 && samples[earlier]!.timestamp >= since; earlier -= 1) values.push(samples[earlier]!.value);
  return median(values);
}

/**
 * Statistically unusual is not enough to wake someone: the change must also matter. A detector
 * tuned to catch onsets early will flag a 5% wobble on a very quiet series; these floors keep
 * such findings out of the channel. Errors count in points, restarts in whole restarts, latency
 * by half again (and 10 ms), the rest by a quarter of the last hour's median. Symptoms matter
 * only when they get worse: errors or latency falling back after a long fault (the last hour's
 * median is then the fault) is the recovery, not news.
 */
export function materialChange(signal: Signal, value: number, usual: number | undefined): boolean {
  if (usual === undefined || !Number.isFinite(value)) return true;
  if (SYMPTOM_SIGNALS.includes(signal) && value <= usual) return false;
  return largeChange(signal, value, usual);
}

/**
 * Whether a change is large enough to matter, whichever way it goes. A symptom falling a long
 * way (latency of a crash-looping service dropping to its fast failures) is not raised, but it is
 * a new regime all the same, and its return later is not news either.
 */
export function largeChange(signal: Signal, value: number, usual: number | undefined): boolean {
  if (usual === undefined || !Number.isFinite(value)) return true;
  switch (signal) {
    case 'error_rate':
      return Math.abs(value - usual) >= 0.01;
    case 'restarts':
      return Math.abs(value - usual) >= 1;
    case 'latency_p95':
      // A p95 read from histogram buckets jumps by a quarter when it crosses a bucket boundary.
      return Math.abs(value - usual) >= Math.max(0.5 * Math.abs(usual), 0.01);
    default:
      return Math.abs(value - usual) >= 0.25 * Math.abs(usual);
  }
}

/** How urgent an anomaly on these signals is: symptoms (what users feel) count most, then how many signals moved. */
export function severityOf(entries: ReadonlyArray<{ signal: Signal }>): AnomalySeverity {
  // Symptoms are what users feel: trouble there is more urgent than in resource signals.
  const userFacing = entries.filter((entry) => SYMPTOM_SIGNALS.includes(entry.signal));
  if (userFacing.length >= 2 || (userFacing.length === 1 && entries.length >= 2)) return 'critical';
  if (userFacing.length === 1) return 'warning';
  return entries.length >= 2 ? 'warning' : 'info';
}

/** An anomaly's line for people: "payment: error_rate 26.4% (usually 0.09%), latency_p95 850 ms (usually 120 ms)". */
export function describeSignalChanges(service: string, entries: ReadonlyArray<{ signal: Signal; value: number; usual?: number }>): string {
  return `${service}: ${describeSignalValues(entries)}`;
}

/** Signals beside their usual values, without the service: "error_rate 26.4% (usually 0.09%), latency_p95 850 ms (usually 120 ms)". */
export function describeSignalValues(entries: ReadonlyArray<{ signal: Signal; value: number; usual?: number }>): string {
  return entries.map((entry) => `${entry.signal} ${formatSignalValue(entry.signal, entry.value)}${entry.usual === undefined ? '' : ` (usually ${formatSignalValue(entry.signal, entry.usual)})`}`).join(', ');
}
