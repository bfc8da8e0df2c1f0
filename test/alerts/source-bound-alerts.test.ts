import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager.js';
import { labelsFingerprint } from '../../src/alerts/fingerprint.js';
import { catalogue, detectorAlert, managerAlert, MINUTE, replay, T0 } from './builders.js';

/**
 * An alert belongs to the source that raised it: only that source may refresh or end it. A
 * webhook delivery that names a detector's fingerprint (a forged resolve, say) leaves the
 * detector's incident as it was, and no remembered resolve of one source holds back another's alert.
 */

describe('source-bound alerts', () => {
  const detected = detectorAlert('payment', ['error_rate'], T0);

  it("ignores an Alertmanager resolve of a detector's alert: its incident stays open", () => {
    const forged = managerAlert({ fingerprint: detected.fingerprint, status: 'resolved', startsAt: T0, endsAt: T0 + MINUTE, receivedAt: T0 + MINUTE });
    const { state, changes } = replay([detected, forged]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({ status: 'open', services: ['payment'] });
    expect(state.incidents[0]!.alerts[detected.fingerprint]).toMatchObject({ source: 'detector', status: 'firing' });
    expect(changes.at(-1)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('only detector may change or end') });
  });

  it("ignores an Alertmanager firing alert under a detector's fingerprint: no escalation, no new group", () => {
    const forged = managerAlert({
      fingerprint: detected.fingerprint,
      status: 'firing',
      severity: 'critical',
      startsAt: T0,
      receivedAt: T0 + MINUTE,
      group: { key: '{}:{alertname="Forged"}', labels: { alertname: 'Forged' }, receiver: 'aiops', externalURL: 'https://phishing.example', truncatedAlerts: 0 },
    });
    const { state, changes } = replay([detected, forged]);
    expect(state.incidents[0]).toMatchObject({ status: 'open', severity: 'warning' });
    expect(state.incidents[0]!.groups ?? {}).toEqual({});
    expect(changes.at(-1)?.kind).toBe('ignored');
  });

  it("remembers an early resolve for its own source only: it does not hold back the detector's alert", () => {
    const earlyResolve = managerAlert({ fingerprint: detected.fingerprint, status: 'resolved', startsAt: T0 - MINUTE, endsAt: T0 + 60 * MINUTE, receivedAt: T0 - MINUTE });
    const { state, changes } = replay([earlyResolve, detected]);
    expect(changes.at(-1)?.kind).toBe('opened');
    expect(state.incidents).toHaveLength(1);
  });

  it('finds alerts by own keys only: a fingerprint named like an inherited property is a new alert like any other', () => {
    const { state, changes } = replay([
      detected,
      managerAlert({ fingerprint: 'constructor', status: 'firing', startsAt: T0, receivedAt: T0 + MINUTE, labels: { alertname: 'HighErrorRate', service: 'payment' }, service: 'payment' }),
    ]);
    expect(changes.at(-1)?.kind).toBe('joined');
    expect(state.incidents).toHaveLength(1);
    expect(Object.keys(state.incidents[0]!.alerts).sort()).toEqual(['constructor', detected.fingerprint]);
    expect(state.incidents[0]!.alerts.constructor).toMatchObject({ source: 'alertmanager', status: 'firing', service: 'payment' });
  });

  it("never takes a sender's fingerprint in the detectors' namespace: the alert is known by its labels, and the fingerprint reported", () => {
    const labels = { alertname: 'HighErrorRate', service: 'payment' };
    const untrusted: string[] = [];
    const [alert] = parseAlertmanagerWebhook(
      {
        version: '4',
        groupKey: '{}:{alertname="HighErrorRate"}',
        status: 'resolved',
        receiver: 'aiops',
        alerts: [{ status: 'resolved', labels, startsAt: '2024-05-14T10:00:00Z', endsAt: '2024-05-14T10:01:00Z', fingerprint: detected.fingerprint }],
      },
      catalogue,
      T0 + MINUTE,
      untrusted,
    );
    expect(alert!.fingerprint).toBe(labelsFingerprint(labels));
    expect(alert!.group?.resolvedMembers).toEqual([labelsFingerprint(labels)]);
    expect(untrusted).toEqual([detected.fingerprint]);
  });
});
