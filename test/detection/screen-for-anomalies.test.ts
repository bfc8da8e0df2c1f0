import { describe, expect, it } from 'vitest';
import { screenForAnomalies, type ScreenedSeries } from '../../src/detection/screen-for-anomalies.js';
import type { Signal } from '../../src/signals.js';

const NOW = Date.UTC(2026, 10, 24, 15, 0);
const STEP = 30_000;
const WINDOW_START = NOW - 30 * 60_000;
const OPTIONS = { windowStart: WINDOW_START, baselineStart: WINDOW_START - 60 * 60_000 };

/** 90 minutes at 30 s steps: `level` with a small wobble, `during(t)` instead from `from` on. */
function series(service: string, signal: Signal, level: number, from?: number, during?: (at: number) => number): ScreenedSeries {
  const samples = [];
  for (let at = OPTIONS.baselineStart, index = 0; at <= NOW; at += STEP, index += 1) {
    const wobble = level * 0.02 * Math.sin(index * 1.3);
    samples.push({ timestamp: at, value: from !== undefined && during && at >= from ? during(at) : level + wobble });
  }
  return { service, signal, samples };
}

describe('screenForAnomalies: what the metrics show against the hour before, without detection', () => {
  it('finds the error rate that stands at 21% and dates it at its onset', () => {
    const onset = NOW - 20 * 60_000;
    const [anomaly, ...rest] = screenForAnomalies([series('payment', 'error_rate', 0.001, onset, () => 0.21), series('payment', 'cpu', 0.3)], OPTIONS);
    expect(rest).toEqual([]);
    expect(anomaly).toMatchObject({ service: 'payment', signals: ['error_rate'], detectedAt: onset, severity: 'warning', summary: 'payment: error_rate 21% (usually 0.1%)' });
  });

  it('finds nothing in an estate that only wobbles', () => {
    expect(screenForAnomalies([series('cart', 'cpu', 0.3), series('cart', 'latency_p95', 0.02), series('cart', 'error_rate', 0.002)], OPTIONS)).toEqual([]);
  });

  it('ignores a shift that passed (a rollout counting old and new pods for a few minutes)', () => {
    const start = NOW - 13 * 60_000;
    const blip = series('payment', 'memory', 376e6, start, (at) => (at < start + 5 * 60_000 ? 767e6 : 376e6));
    expect(screenForAnomalies([blip], OPTIONS)).toEqual([]);
  });

  it('ignores a symptom that got better, and a change too small to matter', () => {
    const better = series('cart', 'latency_p95', 0.2, NOW - 20 * 60_000, () => 0.05);
    const small = series('cart', 'cpu', 0.3, NOW - 20 * 60_000, () => 0.33);
    expect(screenForAnomalies([better, small], OPTIONS)).toEqual([]);
  });
});
