import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import {
  fingerprintsRaisedIn,
  groupTarget,
  heldAfter,
  releasedAlert,
  releasedInto,
  releaseOf,
  silenceTargetsForIncident,
  silenceTargetsOf,
  suppressionOf,
  type HeldAlert,
  type Silence,
  type SuppressionContext,
} from '../../src/alerts/suppression.js';
import { heldBackContext } from '../../src/slack/blocks/held-back-context.js';
import { MINUTE, T0, detectorAlert, managerAlert, replay } from './builders.js';

const HOUR = 60 * MINUTE;
const group = { key: '{}/{}:{alertname="NodeDown", cluster="eu-1"}', labels: { alertname: 'NodeDown', cluster: 'eu-1' }, receiver: 'aiops', truncatedAlerts: 0 };
const nodeDown = (fingerprint: string, at: number, status: 'firing' | 'resolved' = 'firing'): Alert =>
  managerAlert({ fingerprint, name: 'NodeDown', status, startsAt: T0, receivedAt: at, ...(status === 'resolved' ? { endsAt: at } : {}), labels: { alertname: 'NodeDown', cluster: 'eu-1', instance: fingerprint }, group });
const payment = (fingerprint: string, at: number): Alert => managerAlert({ fingerprint, service: 'payment', status: 'firing', startsAt: at, receivedAt: at });

function context(silences: Silence[] = [], fields: Partial<SuppressionContext> = {}): SuppressionContext {
  return { silences: new Map(silences.map((silence) => [silence.target, silence])), maintenance: [], now: T0 + MINUTE, raised: false, ...fields };
}
const silence = (target: string, until = T0 + HOUR): Silence => ({ target, until, by: 'U0SRE', createdAt: T0 });

describe('suppressionOf', () => {
  it('holds a firing alert covered by a silence on its service, fingerprint or Alertmanager group, choosing the one that ends last', () => {
    expect(suppressionOf(payment('am-1', T0), context([silence('payment')]))).toEqual({ kind: 'silence', target: 'payment', by: 'U0SRE', until: T0 + HOUR });
    expect(suppressionOf(nodeDown('node-1', T0), context([silence('node-1')]))?.kind).toBe('silence');
    expect(suppressionOf(nodeDown('node-2', T0), context([silence(groupTarget(group.key), T0 + 2 * HOUR), silence('node-2')]))).toEqual({ kind: 'silence', target: groupTarget(group.key), by: 'U0SRE', until: T0 + 2 * HOUR });
    expect(suppressionOf(payment('am-1', T0), context([silence('cart')]))).toBeUndefined();
    // Over: not held.
    expect(suppressionOf(payment('am-1', T0), context([silence('payment', T0)], { now: T0 }))).toBeUndefined();
  });

  it('never holds a resolve, nor an alert already raised in an open incident', () => {
    expect(suppressionOf(nodeDown('node-1', T0, 'resolved'), context([silence('node-1')]))).toBeUndefined();
    expect(suppressionOf(nodeDown('node-1', T0), context([silence('node-1')], { raised: true }))).toBeUndefined();
  });

  it('holds alerts of a service in an active maintenance window, and every alert in a window on all', () => {
    const window = { services: ['payment'], start: T0, end: T0 + HOUR, reason: 'PSP migration' };
    expect(suppressionOf(payment('am-1', T0), context([], { maintenance: [window] }))).toEqual({ kind: 'maintenance', until: T0 + HOUR, reason: 'PSP migration' });
    expect(suppressionOf(nodeDown('node-1', T0), context([], { maintenance: [window] }))).toBeUndefined();
    expect(suppressionOf(nodeDown('node-1', T0), context([], { maintenance: [{ services: 'all', start: T0, end: T0 + HOUR }] }))?.kind).toBe('maintenance');
    expect(suppressionOf(payment('am-1', T0), context([], { maintenance: [window], now: T0 + HOUR }))).toBeUndefined();
  });
});

describe('silence targets', () => {
  it('cover an alert by fingerprint, service, group and (for detectors) anomaly', () => {
    expect(silenceTargetsOf(nodeDown('node-1', T0))).toEqual(['node-1', groupTarget(group.key)]);
    const detected = detectorAlert('payment', ['error_rate'], T0);
    expect(silenceTargetsOf(detected)).toEqual([detected.fingerprint, 'payment', detected.annotations.anomalyId]);
  });

  it('of an incident naming no catalogued service are its alerts, by fingerprint and group', () => {
    const { state } = replay([nodeDown('node-1', T0), nodeDown('node-2', T0 + MINUTE)]);
    const incident = state.incidents[0]!;
    expect(incident.services).toEqual([]);
    expect(silenceTargetsForIncident(incident).sort()).toEqual([incident.id, 'node-1', 'node-2', groupTarget(group.key)].sort());
    // A later alert of the same group, new fingerprint, is covered by what the incident's silence sets.
    const targets = silenceTargetsForIncident(incident).map((target) => silence(target));
    expect(suppressionOf(nodeDown('node-3', T0 + 2 * MINUTE), context(targets))?.kind).toBe('silence');
  });

  it('of a catalogued incident are its services', () => {
    const { state } = replay([payment('am-1', T0)]);
    expect(silenceTargetsForIncident(state.incidents[0]!)).toEqual([state.incidents[0]!.id, 'payment']);
    expect([...fingerprintsRaisedIn(state.incidents, ['am-1', 'am-2'])]).toEqual(['am-1']);
  });
});

describe('held alerts', () => {
  const cause = { kind: 'silence' as const, target: 'payment', by: 'U0SRE', until: T0 + HOUR };

  it('follow later deliveries: a resolve ends them, a new episode restarts them, a late one changes nothing', () => {
    const first = heldAfter(undefined, payment('am-1', T0), cause)!;
    expect(first).toEqual({ alert: payment('am-1', T0), heldSince: T0, cause });
    const again = heldAfter(first, { ...payment('am-1', T0 + 5 * MINUTE), startsAt: T0 }, cause)!;
    expect(again.alert.receivedAt).toBe(T0 + 5 * MINUTE);
    expect(again.heldSince).toBe(T0);
    // The resolve is not held itself (no cause), but the held alert follows it.
    const resolved = heldAfter(again, { ...payment('am-1', T0 + 10 * MINUTE), status: 'resolved', startsAt: T0, endsAt: T0 + 9 * MINUTE }, undefined)!;
    expect(resolved.alert).toEqual(expect.objectContaining({ status: 'resolved', endsAt: T0 + 9 * MINUTE }));
    expect(resolved.cause).toEqual(cause);
    expect(heldAfter(resolved, { ...payment('am-1', T0 + 11 * MINUTE), startsAt: T0 }, cause)!.alert.status).toBe('resolved');
    expect(heldAfter(resolved, payment('am-1', T0 + 20 * MINUTE), cause)!.alert).toEqual(expect.objectContaining({ status: 'firing', startsAt: T0 + 20 * MINUTE }));
    expect(heldAfter(undefined, { ...payment('am-1', T0), status: 'resolved' }, undefined)).toBeUndefined();
  });

  it('are raised when released if still firing (detectors only if reported recently), with from when to when', () => {
    const held: HeldAlert = { alert: payment('am-1', T0 + 5 * MINUTE), heldSince: T0, cause };
    const options = { resolveTimeoutMilliseconds: 5 * MINUTE };
    expect(releaseOf(held, T0 + 2 * HOUR, options)).toBe('raise');
    expect(releaseOf({ ...held, alert: { ...held.alert, status: 'resolved' } }, T0 + 2 * HOUR, options)).toBe('ended');
    const detected: HeldAlert = { alert: detectorAlert('payment', ['error_rate'], T0 + HOUR - 2 * MINUTE), heldSince: T0, cause };
    expect(releaseOf(detected, T0 + HOUR, options)).toBe('raise');
    expect(releaseOf(detected, T0 + HOUR + 4 * MINUTE, options)).toBe('ended');

    const { alert, record } = releasedAlert(held, T0 + HOUR + 3_000);
    expect(alert).toEqual({ ...held.alert, receivedAt: T0 + HOUR + 3_000 });
    expect(record).toEqual({ fingerprint: 'am-1', summary: held.alert.summary, heldSince: T0, heldUntil: T0 + HOUR, releasedAt: T0 + HOUR + 3_000, cause });
    expect(heldBackContext([record])).toEqual([`Held back from 2024-05-14 10:00 UTC to 2024-05-14 11:00 UTC by a silence on payment set by U0SRE; still firing when it ended: ${held.alert.summary}`]);
  });

  it('show on the incident their release went to, not on a later one', () => {
    const record = { fingerprint: 'am-1', summary: 's', heldSince: T0, heldUntil: T0 + HOUR, releasedAt: T0 + HOUR, cause };
    const { state } = replay([payment('am-1', T0 + HOUR)]);
    expect(releasedInto(state.incidents[0]!, [record])).toEqual([record]);
    const later = replay([payment('am-1', T0 + 5 * HOUR)]).state.incidents[0]!;
    expect(releasedInto(later, [record])).toEqual([]);
  });
});
