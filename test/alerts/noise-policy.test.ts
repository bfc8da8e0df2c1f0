import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/alerts/correlate.js';
import { shouldNotify, type MaintenanceWindow } from '../../src/alerts/noise-policy.js';
import { MINUTE, T0, detectorAlert, replay } from './builders.js';

function incident(fields: Partial<Incident> = {}): Incident {
  return { id: 'incident-1', status: 'open', flapping: false, services: ['order-service'], origin: 'order-service', severity: 'warning', alerts: {}, firstSeen: T0, lastSeen: T0, ...fields };
}

describe('shouldNotify: group wait', () => {
  it('holds a new warning incident for 30 seconds, then notifies', () => {
    expect(shouldNotify(incident(), T0 + 10_000)).toMatchObject({ notify: false, retryAt: T0 + 30_000 });
    expect(shouldNotify(incident(), T0 + 29_999).notify).toBe(false);
    expect(shouldNotify(incident(), T0 + 30_000)).toEqual({ notify: true, reason: 'group wait over' });
  });

  it('holds info incidents too, but pages a critical one at once', () => {
    expect(shouldNotify(incident({ severity: 'info' }), T0 + 1_000).notify).toBe(false);
    expect(shouldNotify(incident({ severity: 'critical' }), T0)).toEqual({ notify: true, reason: 'critical: no group wait' });
  });

  it('ends the wait when the incident escalates to critical', () => {
    const { state } = replay([detectorAlert('order-service', ['latency_p95'], T0, 'warning'), detectorAlert('database', ['error_rate', 'latency_p95'], T0 + 5_000, 'critical')]);
    const escalated = state.incidents[0]!;
    expect(escalated.severity).toBe('critical');
    expect(shouldNotify(escalated, T0 + 5_000).notify).toBe(true);
  });

  it('stays quiet about an incident that resolved within its wait', () => {
    expect(shouldNotify(incident({ status: 'resolved', resolvedAt: T0 + 20_000 }), T0 + 40_000)).toMatchObject({ notify: false });
    expect(shouldNotify(incident({ status: 'resolved', resolvedAt: T0 + 5 * MINUTE }), T0 + 6 * MINUTE)).toEqual({ notify: true, reason: 'resolved' });
  });

  it('takes the waits from its options', () => {
    const options = { groupWait: { warning: 2 * MINUTE, critical: 10_000 } };
    expect(shouldNotify(incident(), T0 + MINUTE, options)).toMatchObject({ notify: false, retryAt: T0 + 2 * MINUTE });
    expect(shouldNotify(incident({ severity: 'critical' }), T0 + 5_000, options).notify).toBe(false);
    // Unset severities keep their default.
    expect(shouldNotify(incident({ severity: 'info' }), T0 + 31_000, options).notify).toBe(true);
  });
});

describe('shouldNotify: maintenance windows', () => {
  const during = T0 + 10 * MINUTE;
  const window = (services: MaintenanceWindow['services'], start = T0, end = T0 + 60 * MINUTE): MaintenanceWindow => ({ services, start, end });

  it('silences an incident whose services are all under maintenance, critical included', () => {
    const decision = shouldNotify(incident({ severity: 'critical' }), during, { maintenance: [window(['order-service', 'database'])] });
    expect(decision).toEqual({ notify: false, reason: 'in a maintenance window until 2024-05-14T11:00:00.000Z', retryAt: T0 + 60 * MINUTE });
  });

  it('silences everything, service-less incidents too, in an estate-wide window', () => {
    expect(shouldNotify(incident({ services: [], origin: undefined }), during, { maintenance: [window('all')] }).notify).toBe(false);
    expect(shouldNotify(incident({ services: [], origin: undefined }), during, { maintenance: [window(['database'])] }).notify).toBe(true);
  });

  it('combines windows to cover an incident, but pages when it reaches beyond them', () => {
    const spread = incident({ services: ['database', 'order-service'] });
    expect(shouldNotify(spread, during, { maintenance: [window(['database']), window(['order-service'], T0, T0 + 20 * MINUTE)] })).toMatchObject({
      notify: false,
      retryAt: T0 + 20 * MINUTE,
    });
    expect(shouldNotify(spread, during, { maintenance: [window(['database'])] }).notify).toBe(true);
  });

  it('applies only between start and end', () => {
    const windows = [window(['order-service'], T0 + 5 * MINUTE, T0 + 15 * MINUTE)];
    expect(shouldNotify(incident(), T0 + 4 * MINUTE, { maintenance: windows }).notify).toBe(true);
    expect(shouldNotify(incident(), T0 + 5 * MINUTE, { maintenance: windows }).notify).toBe(false);
    expect(shouldNotify(incident(), T0 + 15 * MINUTE, { maintenance: windows }).notify).toBe(true);
  });
});
