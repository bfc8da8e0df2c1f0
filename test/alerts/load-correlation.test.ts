import { describe, expect, it } from 'vitest';
import { alertFromAnomaly, signalsOf } from '../../src/alerts/alert.js';
import { settleIncidents, type CorrelationState, type Incident, type IncidentAlert } from '../../src/alerts/correlate.js';
import { isMerelyLoaded, originOf } from '../../src/alerts/origin.js';
import { describesLoadOnly } from '../../src/signals.js';
import { MINUTE, T0, anomaly, catalogue, detectorAlert, managerAlert, replay } from './builders.js';

/**
 * A fault passes symptoms up the call graph but load down it: a surge at catalogue is a surge at
 * the cache and the database it calls. Load alone is context: it never names the origin while a
 * service fails, and it neither opens an incident nor keeps one open.
 */

function only(state: CorrelationState): Incident {
  expect(state.incidents).toHaveLength(1);
  return state.incidents[0]!;
}

function incidentAlert(service: string, signals: IncidentAlert['signals'], startsAt = T0): IncidentAlert {
  return { fingerprint: `${service}/${signals?.join('+') ?? 'manager'}`, source: 'detector', name: 'AnomalyDetected', service, groupKey: '', signals, status: 'firing', severity: 'warning', startsAt, firstSeen: startsAt, lastSeen: startsAt, summary: '', transitions: [startsAt] };
}

describe('describesLoadOnly', () => {
  it('is true for a changed request rate with only the CPU and memory that follow it', () => {
    expect(describesLoadOnly(['request_rate'])).toBe(true);
    expect(describesLoadOnly(['cpu', 'request_rate'])).toBe(true);
    expect(describesLoadOnly(['cpu', 'memory', 'request_rate'])).toBe(true);
  });

  it('is false once a symptom shows, or without a change in traffic', () => {
    expect(describesLoadOnly(['latency_p95', 'request_rate'])).toBe(false);
    expect(describesLoadOnly(['error_rate', 'request_rate'])).toBe(false);
    expect(describesLoadOnly(['restarts', 'request_rate'])).toBe(false);
    expect(describesLoadOnly(['cpu', 'memory'])).toBe(false);
    expect(describesLoadOnly([])).toBe(false);
  });
});

describe('signalsOf', () => {
  it('reads the signals our detectors put in the labels', () => {
    expect(signalsOf(alertFromAnomaly(anomaly('cache', ['request_rate', 'cpu'], T0)))).toEqual(['cpu', 'request_rate']);
  });

  it('knows none for an Alertmanager alert, even one with a signals label', () => {
    expect(signalsOf(managerAlert({ fingerprint: 'a', status: 'firing', startsAt: T0, receivedAt: T0, labels: { alertname: 'X', signals: 'request_rate' } }))).toBeUndefined();
  });
});

describe('originOf: load travels down the call graph', () => {
  it('names the service that fails, not the dependencies its surge reached', () => {
    const alerts = [
      incidentAlert('catalogue', ['cpu', 'latency_p95', 'memory', 'request_rate']),
      incidentAlert('cache', ['cpu', 'request_rate']),
      incidentAlert('database', ['cpu', 'request_rate']),
    ];
    expect(originOf(alerts, catalogue)).toBe('catalogue');
  });

  it('judges a service by all its alerts: a CPU prediction on a busier cache is the same load seen ahead', () => {
    const cache = [incidentAlert('cache', ['cpu', 'request_rate']), { ...incidentAlert('cache', ['cpu']), fingerprint: 'cache/predicted', name: 'PredictedExhaustion' }];
    expect(isMerelyLoaded(cache)).toBe(true);
    expect(originOf([incidentAlert('catalogue', ['error_rate']), ...cache], catalogue)).toBe('catalogue');
  });

  it('still names the deepest failing service when a dependency fails too', () => {
    const alerts = [incidentAlert('catalogue', ['request_rate', 'latency_p95']), incidentAlert('cache', ['request_rate', 'latency_p95'])];
    expect(originOf(alerts, catalogue)).toBe('cache');
  });

  it('counts an alert with unknown signals as a possible failure', () => {
    expect(isMerelyLoaded([incidentAlert('cache', ['request_rate']), incidentAlert('cache', undefined)])).toBe(false);
    expect(originOf([incidentAlert('catalogue', ['error_rate']), incidentAlert('cache', undefined)], catalogue)).toBe('cache');
  });

  it('falls back to the deepest service when every affected service is only busier', () => {
    expect(originOf([incidentAlert('catalogue', ['request_rate']), incidentAlert('cache', ['request_rate'])], catalogue)).toBe('cache');
  });
});

describe('applyAlert: load alone', () => {
  it('opens no incident', () => {
    const { state, changes } = replay([detectorAlert('cache', ['cpu', 'request_rate'], T0)]);
    expect(state.incidents).toEqual([]);
    expect(changes).toEqual([expect.objectContaining({ kind: 'ignored', reason: expect.stringContaining('load alone') })]);
  });

  it('joins the incident of the failing service it calls or is called by, and does not become its origin', () => {
    const { state, changes } = replay([detectorAlert('catalogue', ['latency_p95', 'request_rate'], T0), detectorAlert('cache', ['cpu', 'request_rate'], T0)]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined']);
    expect(only(state)).toMatchObject({ services: ['cache', 'catalogue'], origin: 'catalogue' });
    expect(only(state).alerts['detector/anomaly/cache/cpu+request_rate']).toMatchObject({ signals: ['cpu', 'request_rate'] });
  });

  it('does not keep the incident open once the failure resolves, and ends with it', () => {
    const failing = detectorAlert('catalogue', ['latency_p95', 'request_rate'], T0);
    const load = detectorAlert('cache', ['cpu', 'request_rate'], T0);
    const { state, changes } = replay([
      failing,
      load,
      { ...load, receivedAt: T0 + 4 * MINUTE },
      { ...failing, status: 'resolved', endsAt: T0 + 5 * MINUTE, receivedAt: T0 + 5 * MINUTE },
      { ...load, receivedAt: T0 + 6 * MINUTE },
    ]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'duplicate', 'resolved', 'ignored']);
    expect(only(state)).toMatchObject({ status: 'resolved', resolvedAt: T0 + 5 * MINUTE });
    expect(only(state).alerts['detector/anomaly/cache/cpu+request_rate']).toMatchObject({ status: 'resolved', endsAt: T0 + 5 * MINUTE });
  });

  it('is left out when settling decides whether an incident still goes on', () => {
    const { state } = replay([detectorAlert('catalogue', ['error_rate'], T0), detectorAlert('cache', ['request_rate'], T0), detectorAlert('cache', ['request_rate'], T0 + 6 * MINUTE)]);
    const settled = settleIncidents(state, T0 + 6 * MINUTE + 1);
    expect(settled.changes).toEqual([expect.objectContaining({ kind: 'resolved', reason: 'only load is still reported' })]);
    expect(only(settled)).toMatchObject({ status: 'resolved', resolvedAt: T0 + 5 * MINUTE });
  });

  it('does not reopen a recently resolved incident with a new episode', () => {
    const failing = detectorAlert('catalogue', ['error_rate'], T0);
    const load = detectorAlert('cache', ['request_rate'], T0);
    const { state, changes } = replay([
      failing,
      load,
      { ...failing, status: 'resolved', endsAt: T0 + 2 * MINUTE, receivedAt: T0 + 2 * MINUTE },
      { ...load, startsAt: T0 + 4 * MINUTE, receivedAt: T0 + 4 * MINUTE },
    ]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'resolved', 'ignored']);
    expect(only(state).status).toBe('resolved');
  });
});
