import { describe, expect, it } from 'vitest';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { PREDICTION_HOLD_MILLISECONDS, RECOVERY_HOLD_MILLISECONDS, recoveryHoldMilliseconds, recoverySignals, stillGoing } from '../../src/detection/ongoing-anomaly.js';
import { materialChange } from '../../src/detection/service-anomalies.js';
import type { Signal } from '../../src/signals.js';

const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);

function raised(fields: Partial<Anomaly>): Anomaly {
  return { id: 'x', kind: 'anomaly', service: 'catalogue', signals: [], score: 1, severity: 'warning', detectedAt: T0, evidence: { start: T0, end: T0 }, summary: '', ...fields };
}

function latest(values: Partial<Record<Signal, number>>) {
  return (signal: Signal) => values[signal];
}

describe('stillGoing', () => {
  // A surge on catalogue: latency, CPU, memory and traffic all up at once.
  const surge = raised({ signals: ['cpu', 'latency_p95', 'memory', 'request_rate'], baseline: { cpu: 0.7, latency_p95: 0.045, memory: 576e6, request_rate: 142 } });

  it('goes on while a symptom it named is still off its baseline', () => {
    expect(stillGoing(surge, latest({ cpu: 2.9, latency_p95: 0.8, memory: 726e6, request_rate: 514 }), false)).toBe(true);
  });

  it('is over once its symptoms are back, though the traffic and the resources serving it stay up (the fix was to scale out)', () => {
    expect(stillGoing(surge, latest({ cpu: 4, latency_p95: 0.046, memory: 1.4e9, request_rate: 700 }), false)).toBe(false);
  });

  it('follows every signal of an anomaly that named no symptom', () => {
    const load = raised({ signals: ['cpu', 'request_rate'], baseline: { cpu: 0.09, request_rate: 324 } });
    expect(stillGoing(load, latest({ cpu: 0.09, request_rate: 700 }), false)).toBe(true);
    expect(stillGoing(load, latest({ cpu: 0.09, request_rate: 330 }), false)).toBe(false);
  });

  it('lets a signal without a sample this pass count as back', () => {
    const errors = raised({ signals: ['error_rate'], baseline: { error_rate: 0.001 } });
    expect(stillGoing(errors, latest({}), false)).toBe(false);
  });

  it('keeps a prediction going exactly while it is made again, whatever the signals say', () => {
    const prediction = raised({ kind: 'predictive', signals: ['memory'] });
    expect(stillGoing(prediction, latest({ memory: 1 }), true)).toBe(true);
    expect(stillGoing(prediction, latest({ memory: 1e12 }), false)).toBe(false);
  });
});

describe('recoverySignals', () => {
  it('keeps the symptoms when there are any, else every signal', () => {
    expect(recoverySignals(['cpu', 'error_rate', 'request_rate', 'restarts'])).toEqual(['error_rate', 'restarts']);
    expect(recoverySignals(['cpu', 'memory'])).toEqual(['cpu', 'memory']);
  });
});

describe('recoveryHoldMilliseconds', () => {
  it('gives a prediction long enough to be made again after the restart it predicted', () => {
    expect(recoveryHoldMilliseconds({ kind: 'anomaly' })).toBe(RECOVERY_HOLD_MILLISECONDS);
    expect(recoveryHoldMilliseconds({ kind: 'predictive' })).toBe(PREDICTION_HOLD_MILLISECONDS);
    // The estimator needs 10 minutes of fresh climb after a restart; the hold must outlast that.
    expect(PREDICTION_HOLD_MILLISECONDS).toBeGreaterThan(10 * 60_000);
  });
});

describe('materialChange', () => {
  it('counts symptoms only when they get worse: falling back after a long fault is the recovery', () => {
    expect(materialChange('error_rate', 0.2, 0.001)).toBe(true);
    expect(materialChange('error_rate', 0.001, 0.2)).toBe(false);
    expect(materialChange('latency_p95', 0.8, 0.045)).toBe(true);
    expect(materialChange('latency_p95', 0.01, 0.518)).toBe(false);
    expect(materialChange('restarts', 3, 0)).toBe(true);
    expect(materialChange('restarts', 0, 3)).toBe(false);
  });

  it('counts traffic and resources either way: a crash-looping service drops its memory', () => {
    expect(materialChange('memory', 45e6, 374e6)).toBe(true);
    expect(materialChange('request_rate', 50, 140)).toBe(true);
    expect(materialChange('cpu', 0.71, 0.7)).toBe(false);
  });
});
