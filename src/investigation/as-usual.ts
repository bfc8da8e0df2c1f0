import { median } from '../detection/median.js';
import { describeSignalValues } from '../detection/service-anomalies.js';
import type { MetricSeries } from '../rca/root-cause-input.js';
import type { Signal } from '../signals.js';

/** The symptoms a person asking "why is X slow / failing?" means, in the order they are quoted. */
const QUOTED_SIGNALS: readonly Signal[] = ['latency_p95', 'error_rate'];
/** "Now" is the median of this many minutes' samples: one sample can be a blip either way. */
const RECENT_MINUTES = 5;

/**
 * A named service that shows nothing unusual, in figures: its latency and errors over the last few
 * minutes beside their usual values (the baseline's median), so a person whose question assumed
 * trouble there sees what the bot saw ("checkout shows nothing unusual: latency_p95 450 ms
 * (usually 448 ms), error_rate 0.4% (usually 0.43%)"). Undefined when neither signal was read.
 * Pure: the caller read the series.
 */
export function describeAsUsual(series: readonly MetricSeries[], service: string, window: { baselineStart: number; windowStart: number; now: number }): string | undefined {
  const entries = QUOTED_SIGNALS.flatMap((signal) => {
    const found = series.find((candidate) => candidate.service === service && candidate.metric === signal);
    if (!found) return [];
    const between = (start: number, end: number) => found.values.filter((_, index) => found.timestamps[index]! >= start && found.timestamps[index]! < end);
    const value = median(between(window.now - RECENT_MINUTES * 60_000, Number.POSITIVE_INFINITY));
    const usual = median(between(window.baselineStart, window.windowStart));
    return value === undefined || usual === undefined ? [] : [{ signal, value, usual }];
  });
  return entries.length === 0 ? undefined : `${service} shows nothing unusual: ${describeSignalValues(entries)}`;
}
