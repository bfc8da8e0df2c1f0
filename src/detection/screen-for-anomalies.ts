import { robustBaseline, robustZ } from '../rca/robust-z.js';
import type { Sample, Signal } from '../signals.js';
import type { Anomaly } from './anomaly.js';
import { describeSignalChanges, materialChange, severityOf } from './service-anomalies.js';

/** One standard signal of one service, oldest sample first. */
export interface ScreenedSeries {
  service: string;
  signal: Signal;
  samples: readonly Sample[];
}

export interface ScreenOptions {
  /** The window a question asks about, ms since the epoch: samples from here on are judged. */
  windowStart: number;
  /** Samples from here to windowStart are the baseline, what "usual" means. */
  baselineStart: number;
  /** A sample is out of line at this robust z against the baseline (default 6)… */
  minimumZ?: number;
  /** …and a signal moved when this many of the window's samples are out of line (default 3). */
  minimumSamples?: number;
  /** Fewer baseline samples than this say nothing about "usual": the signal is not judged (default 10). */
  minimumBaselineSamples?: number;
  /**
   * Share of the samples from the first one out of line to the last sample that must be out of line
   * too (default 0.5): a shift that stays, not a blip (a rollout's old and new pods counted together
   * for a few minutes doubles a service's memory and means nothing).
   */
  minimumShareSinceOnset?: number;
}

const DEFAULTS = { minimumZ: 6, minimumSamples: 3, minimumBaselineSamples: 10, minimumShareSinceOnset: 0.5 } as const;
/** The scale floor of the baseline: a flat series still has a sensible unit (as the root-cause engine's). */
const SCALE_FLOOR = { relative: 0.01, absolute: 1e-6 } as const;

/**
 * The anomalies a question's window shows against the hour before it, found in the metrics
 * themselves: what an investigation sees when detection has recorded nothing (a bot started during
 * an incident, the command line, a Prometheus the workers never read). A signal moved when several
 * of the window's samples lie far from the baseline's median (robust z) and the change also
 * matters by detection's own floors (errors by a point, latency by half again, load and
 * resources by a quarter; symptoms only when they get worse), and stays so for most of the time
 * since (see minimumShareSinceOnset). One anomaly per service, naming
 * every signal that moved, dated at the first sample out of line. Pure: the caller read the series.
 */
export function screenForAnomalies(series: readonly ScreenedSeries[], options: ScreenOptions): Anomaly[] {
  const settings = { ...DEFAULTS, ...options };
  const moved = new Map<string, Array<{ signal: Signal; value: number; usual: number; onset: number; last: number; zScore: number }>>();
  for (const { service, signal, samples } of series) {
    const finite = samples.filter((sample) => Number.isFinite(sample.value));
    const baseline = finite.filter((sample) => sample.timestamp >= settings.baselineStart && sample.timestamp < settings.windowStart).map((sample) => sample.value);
    if (baseline.length < settings.minimumBaselineSamples) continue;
    const usual = robustBaseline(baseline, SCALE_FLOOR);
    const inWindow = finite.filter((sample) => sample.timestamp >= settings.windowStart);
    const outOfLine = inWindow.filter((sample) => robustZ(sample.value, usual) >= settings.minimumZ && materialChange(signal, sample.value, usual.median));
    if (outOfLine.length < settings.minimumSamples) continue;
    const sinceOnset = inWindow.filter((sample) => sample.timestamp >= outOfLine[0]!.timestamp).length;
    if (outOfLine.length < settings.minimumShareSinceOnset * sinceOnset) continue;
    const latest = outOfLine.at(-1)!;
    const zScore = Math.max(...outOfLine.map((sample) => robustZ(sample.value, usual)));
    moved.set(service, [...(moved.get(service) ?? []), { signal, value: latest.value, usual: usual.median, onset: outOfLine[0]!.timestamp, last: latest.timestamp, zScore }]);
  }
  return [...moved.entries()].map(([service, entries]): Anomaly => {
    entries.sort((left, right) => right.zScore - left.zScore);
    const onset = Math.min(...entries.map((entry) => entry.onset));
    return {
      id: `${service}:screened:${onset}`,
      kind: 'anomaly',
      service,
      signals: entries.map((entry) => entry.signal),
      // Far beyond the threshold is as sure as a screen gets; the detectors' scores stay comparable in [0, 1].
      score: Math.min(1, entries[0]!.zScore / (4 * settings.minimumZ)),
      severity: severityOf(entries),
      detectedAt: onset,
      evidence: { start: settings.baselineStart, end: Math.max(...entries.map((entry) => entry.last)) },
      summary: describeSignalChanges(service, entries),
      baseline: Object.fromEntries(entries.map((entry) => [entry.signal, entry.usual])),
    };
  });
}
