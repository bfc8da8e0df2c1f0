import { describe, expect, it } from 'vitest';
import { outageSpans, withoutSpans } from '../../src/detection/outage-spans.js';
import type { Sample, Signal } from '../../src/signals.js';

const MINUTE = 60_000;
const T = Date.UTC(2026, 0, 5, 10, 0, 0);
const at = (minute: number) => T + minute * MINUTE;

/** One sample a minute from `from` to `to`, less the minutes in `missing`. */
function series(from: number, to: number, missing: (minute: number) => boolean = () => false): Sample[] {
  const samples: Sample[] = [];
  for (let minute = from; minute <= to; minute += 1) if (!missing(minute)) samples.push({ timestamp: at(minute), value: 10 + (minute % 3) });
  return samples;
}

describe('outageSpans', () => {
  // Prometheus was down from minute 20 to minute 26 (the pass that read it again): rates have no
  // samples in between, a gauge bridges part of it with its last value (Prometheus' lookback).
  const outage = { from: at(20) + 5_000, to: at(26) + 7_000 };
  const prometheusWasDown = new Map<Signal, Sample[]>([
    ['cpu', series(0, 40, (minute) => minute >= 21 && minute <= 26)],
    ['memory', series(0, 40, (minute) => minute >= 26 && minute <= 26)],
    ['error_rate', series(0, 40, (minute) => minute >= 21 && minute <= 26)],
  ]);

  it('leaves out the minute before the outage, its minutes, and two after the pass that read the source again', () => {
    expect(outageSpans(prometheusWasDown, [outage], { step: MINUTE, start: at(0), end: at(40) })).toEqual([{ from: at(19), to: outage.to + 2 * MINUTE }]);
    expect(outageSpans(prometheusWasDown, [outage], { step: MINUTE, start: at(0), end: at(40), settleSteps: 4 })).toEqual([{ from: at(19), to: outage.to + 4 * MINUTE }]);
    const left = withoutSpans(prometheusWasDown, [{ from: at(19), to: outage.to + 2 * MINUTE }]);
    expect(left.get('memory')!.map((sample) => (sample.timestamp - T) / MINUTE)).toEqual([...Array(19).keys(), 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(left.get('cpu')).toHaveLength(31);
  });

  it('sees the hole as soon as the pass that read the source again, when nothing has come in since', () => {
    const soFar = new Map([...prometheusWasDown].map(([signal, samples]) => [signal, samples.filter((sample) => sample.timestamp <= at(26))]));
    expect(outageSpans(soFar, [outage], { step: MINUTE, start: at(0), end: at(26) })).toHaveLength(1);
  });

  it('scores everything when Prometheus kept scraping (only the path to it was down): the data is whole', () => {
    const whole = new Map<Signal, Sample[]>([
      ['cpu', series(0, 40)],
      ['memory', series(0, 40)],
    ]);
    expect(outageSpans(whole, [outage], { step: MINUTE, start: at(0), end: at(40) })).toEqual([]);
    // Nor is the time before the window a hole: an outage that began before it is judged on what the window holds.
    const later = new Map([...whole].map(([signal, samples]) => [signal, samples.filter((sample) => sample.timestamp >= at(23))]));
    expect(outageSpans(later, [outage], { step: MINUTE, start: at(23), end: at(40) })).toEqual([]);
  });

  it('ignores a signal the service does not have, and outages without any', () => {
    const withoutLatency = new Map<Signal, Sample[]>([
      ['cpu', series(0, 40)],
      ['latency_p95', []],
    ]);
    expect(outageSpans(withoutLatency, [outage], { step: MINUTE, start: at(0), end: at(40) })).toEqual([]);
    expect(outageSpans(prometheusWasDown, [], { step: MINUTE, start: at(0), end: at(40) })).toEqual([]);
    expect(withoutSpans(prometheusWasDown, [])).toEqual(prometheusWasDown);
  });
});
