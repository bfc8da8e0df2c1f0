import type { Sample, Signal } from '../signals.js';

/** A stretch of time, both ends included, ms since the epoch. */
export interface TimeSpan {
  from: number;
  to: number;
}

export interface OutageSpanOptions {
  /** The step of the series, ms. */
  step: number;
  /** The first and the last instant the pass asked for: the data starts and ends there. */
  start: number;
  end: number;
  /**
   * Steps after an outage's end that are still unreliable (default 2): a restarted Prometheus needs
   * two scrapes of every target before a rate over them is whole again.
   */
  settleSteps?: number;
}

/**
 * The stretches of a service's data that a metrics-source outage left unreliable, to be left out
 * rather than scored. Prometheus down means no scrapes: around the hole, sums over pods are
 * partial (the last rate before it counts only the pods scraped twice before the crash, a gauge
 * drops the pods whose last sample has gone stale, a restarted Prometheus counts each pod only from
 * its second scrape). Such a sum looks like traffic or CPU halving and would be raised as a fault.
 *
 * An outage's span runs from the step before it began to `settleSteps` after it ended. It counts
 * only where the data shows the hole: a signal with samples elsewhere in the window has none at an
 * instant of the outage. When only the path from the bot to Prometheus was down, Prometheus kept
 * scraping, the data is whole, and everything is scored (a fault that began meanwhile included).
 *
 * Pure: `signals` as fetched (the window of the pass), `outages` as the workers recorded them.
 */
export function outageSpans(signals: ReadonlyMap<Signal, readonly Sample[]>, outages: readonly TimeSpan[], options: OutageSpanOptions): TimeSpan[] {
  if (outages.length === 0) return [];
  const { step } = options;
  const settleSteps = options.settleSteps ?? 2;
  const series = [...signals.values()].filter((samples) => samples.length > 0).map((samples) => new Set(samples.map((sample) => sample.timestamp)));
  const spans: TimeSpan[] = [];
  for (const outage of outages) {
    const first = Math.floor(outage.from / step) * step;
    const last = Math.min(outage.to, options.end);
    let hole = false;
    for (let instant = Math.max(first, Math.ceil(options.start / step) * step); instant <= last && !hole; instant += step) hole = series.some((timestamps) => !timestamps.has(instant));
    if (hole) spans.push({ from: first - step, to: outage.to + settleSteps * step });
  }
  return spans;
}

/** The samples outside `spans`, signal by signal. */
export function withoutSpans(signals: ReadonlyMap<Signal, Sample[]>, spans: readonly TimeSpan[]): Map<Signal, Sample[]> {
  if (spans.length === 0) return new Map(signals);
  const inside = (timestamp: number) => spans.some((span) => timestamp >= span.from && timestamp <= span.to);
  return new Map([...signals].map(([signal, samples]) => [signal, samples.filter((sample) => !inside(sample.timestamp))]));
}
