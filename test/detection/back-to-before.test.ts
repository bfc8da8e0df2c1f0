import { describe, expect, it } from 'vitest';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { backToBefore } from '../../src/detection/back-to-before.js';
import type { Sample, Signal } from '../../src/signals.js';

const AT = Date.UTC(2026, 10, 24, 16, 7);
const anomaly = (signals: Signal[], kind: Anomaly['kind'] = 'anomaly'): Anomaly => ({
  id: `shipping:${kind}:${AT}`,
  kind,
  service: 'shipping',
  signals,
  score: 0.9,
  severity: 'info',
  detectedAt: AT,
  evidence: { start: AT - 30 * 60_000, end: AT },
  summary: 'shipping: cpu 0.08 cores (usually 0.06 cores)',
});
const at = (value: number): Sample[] => [{ timestamp: AT, value }];

describe('backToBefore', () => {
  it('recognises a finding that only shows the service back at its level before the incident', () => {
    const signals = new Map<Signal, Sample[]>([['cpu', at(0.08)], ['latency_p95', at(0.1)]]);
    expect(backToBefore(anomaly(['cpu']), signals, { cpu: 0.081 })).toBe(true);
    expect(backToBefore(anomaly(['cpu', 'latency_p95']), signals, { cpu: 0.081, latency_p95: 0.095 })).toBe(true);
  });

  it('keeps a finding that goes beyond the level before the incident, or that it cannot judge', () => {
    const signals = new Map<Signal, Sample[]>([['cpu', at(0.2)], ['memory', at(100)]]);
    expect(backToBefore(anomaly(['cpu']), signals, { cpu: 0.08 })).toBe(false);
    expect(backToBefore(anomaly(['memory']), signals, {})).toBe(false);
    expect(backToBefore(anomaly(['cpu'], 'predictive'), signals, { cpu: 0.2 })).toBe(false);
  });
});
