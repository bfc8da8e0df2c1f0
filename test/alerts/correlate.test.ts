import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager.js';
import { applyAlert, resolveIncident, settleIncidents, type CorrelationState, type Incident } from '../../src/alerts/correlate.js';
import { originOf } from '../../src/alerts/origin.js';
import { MINUTE, T0, catalogue, detectorAlert, emptyState, managerAlert, replay, sequentialIds } from './builders.js';

function only(state: CorrelationState): Incident {
  expect(state.incidents).toHaveLength(1);
  return state.incidents[0]!;
}

describe('applyAlert: correlation over the call graph', () => {
  it('joins database, then order-service, then checkout within minutes into one incident whose origin is the database', () => {
    const { state, changes } = replay([
      detectorAlert('database', ['latency_p95'], T0),
      detectorAlert('order-service', ['error_rate', 'latency_p95'], T0 + 2 * MINUTE),
      detectorAlert('checkout', ['error_rate'], T0 + 4 * MINUTE),
    ]);
    const incident = only(state);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'joined']);
    expect(incident).toMatchObject({ id: 'incident-1', status: 'open', services: ['checkout', 'database', 'order-service'], origin: 'database', firstSeen: T0, lastSeen: T0 + 4 * MINUTE });
    expect(Object.keys(incident.alerts)).toHaveLength(3);
  });

  it('names the most upstream service the origin even when its callers alerted first', () => {
    const { state } = replay([
      detectorAlert('checkout', ['error_rate'], T0),
      detectorAlert('order-service', ['error_rate'], T0 + MINUTE),
      detectorAlert('database', ['latency_p95'], T0 + 3 * MINUTE),
    ]);
    expect(only(state).origin).toBe('database');
  });

  it('opens a second incident for a service that is not a neighbour of the first', () => {
    // cart calls only the cache; neither it nor its callers touch the database or order-service.
    const { state, changes } = replay([
      detectorAlert('database', ['latency_p95'], T0),
      detectorAlert('order-service', ['error_rate'], T0 + MINUTE),
      detectorAlert('cart', ['cpu'], T0 + 2 * MINUTE),
    ]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'opened']);
    expect(state.incidents.map((incident) => [incident.id, incident.services, incident.origin])).toEqual([
      ['incident-1', ['database', 'order-service'], 'database'],
      ['incident-2', ['cart'], 'cart'],
    ]);
  });

  it('opens a second incident for a neighbour that alerts after the window', () => {
    const { state } = replay([detectorAlert('database', ['latency_p95'], T0), detectorAlert('order-service', ['error_rate'], T0 + 16 * MINUTE)]);
    expect(state.incidents).toHaveLength(2);
  });

  it('never joins an alert without a service by the graph, only by its name and group labels', () => {
    const node = (fingerprint: string, name: string, at: number): Alert =>
      managerAlert({ fingerprint, name, status: 'firing', startsAt: at, receivedAt: at, labels: { alertname: name, cluster: 'eu-1', instance: fingerprint } });
    const { state, changes } = replay([
      detectorAlert('database', ['latency_p95'], T0),
      node('aaaa000000000001', 'NodeDiskFull', T0 + MINUTE),
      node('aaaa000000000002', 'NodeDiskFull', T0 + 2 * MINUTE),
      node('aaaa000000000003', 'NodeClockSkew', T0 + 3 * MINUTE),
    ]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'opened', 'joined', 'opened']);
    expect(state.incidents.map((incident) => Object.keys(incident.alerts).length)).toEqual([1, 2, 1]);
    expect(state.incidents[1]).toMatchObject({ services: [], origin: undefined });
  });

  it('reports the same alert twice as a duplicate that only moves lastSeen', () => {
    const first = detectorAlert('payment', ['error_rate'], T0);
    const again = detectorAlert('payment', ['error_rate'], T0 + MINUTE);
    const once = replay([first]).state;
    const { state, changes } = replay([first, again]);
    expect(changes[1]).toMatchObject({ kind: 'duplicate', incidentId: 'incident-1' });
    const incident = only(state);
    expect(incident.lastSeen).toBe(T0 + MINUTE);
    expect({ ...incident, lastSeen: 0, alerts: {} }).toEqual({ ...only(once), lastSeen: 0, alerts: {} });
    expect(incident.alerts[first.fingerprint]).toMatchObject({ status: 'firing', startsAt: T0, firstSeen: T0, lastSeen: T0 + MINUTE });
  });

  it('resolves the incident only when all of its alerts are resolved', () => {
    const database = managerAlert({ fingerprint: 'd000000000000001', service: 'database', status: 'firing', startsAt: T0, receivedAt: T0 });
    const orders = managerAlert({ fingerprint: 'd000000000000002', service: 'order-service', status: 'firing', startsAt: T0 + MINUTE, receivedAt: T0 + MINUTE });
    const { state, changes } = replay([
      database,
      orders,
      { ...database, status: 'resolved', endsAt: T0 + 5 * MINUTE, receivedAt: T0 + 5 * MINUTE },
      { ...orders, status: 'resolved', endsAt: T0 + 6 * MINUTE, receivedAt: T0 + 6 * MINUTE },
    ]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'updated', 'resolved']);
    expect(only(state)).toMatchObject({ status: 'resolved', resolvedAt: T0 + 6 * MINUTE, origin: 'database', flapping: false });
  });

  it('does not modify the state it is given', () => {
    const { state } = replay([detectorAlert('database', ['latency_p95'], T0)]);
    const before = JSON.stringify(state);
    applyAlert(state, detectorAlert('order-service', ['error_rate'], T0 + MINUTE, 'critical'), catalogue, { newIncidentId: sequentialIds() });
    applyAlert(state, detectorAlert('database', ['latency_p95'], T0 + MINUTE), catalogue, { newIncidentId: sequentialIds() });
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('applyAlert: Alertmanager replicas', () => {
  const payload = (alerts: Array<{ name: string; service: string; status: 'firing' | 'resolved'; startsAt: string; endsAt?: string }>) => ({
    version: '4',
    groupKey: '{}:{namespace="shop"}',
    status: alerts.some((alert) => alert.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'aiops',
    groupLabels: { namespace: 'shop' },
    commonLabels: { namespace: 'shop' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts: alerts.map((alert) => ({
      status: alert.status,
      labels: { alertname: alert.name, namespace: 'shop', service: alert.service, severity: 'warning' },
      annotations: { summary: `${alert.name} on ${alert.service}` },
      startsAt: alert.startsAt,
      endsAt: alert.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.monitoring:9090/graph',
    })),
  });
  // One Alertmanager group as it evolves: the group is resent whole at every group_interval.
  const deliveries = [
    { at: 0, body: payload([{ name: 'DatabaseSlow', service: 'database', status: 'firing', startsAt: '2024-05-14T09:59:30Z' }]) },
    {
      at: 5,
      body: payload([
        { name: 'DatabaseSlow', service: 'database', status: 'firing', startsAt: '2024-05-14T09:59:30Z' },
        { name: 'OrdersFailing', service: 'order-service', status: 'firing', startsAt: '2024-05-14T10:04:00Z' },
      ]),
    },
    {
      at: 10,
      body: payload([
        { name: 'DatabaseSlow', service: 'database', status: 'resolved', startsAt: '2024-05-14T09:59:30Z', endsAt: '2024-05-14T10:09:00Z' },
        { name: 'OrdersFailing', service: 'order-service', status: 'firing', startsAt: '2024-05-14T10:04:00Z' },
      ]),
    },
    {
      at: 15,
      body: payload([
        { name: 'DatabaseSlow', service: 'database', status: 'resolved', startsAt: '2024-05-14T09:59:30Z', endsAt: '2024-05-14T10:09:00Z' },
        { name: 'OrdersFailing', service: 'order-service', status: 'resolved', startsAt: '2024-05-14T10:04:00Z', endsAt: '2024-05-14T10:14:00Z' },
      ]),
    },
  ];
  const replicaA = deliveries.map(({ at, body }) => parseAlertmanagerWebhook(body, catalogue, T0 + at * MINUTE));
  // The second replica sends the same notifications a little later.
  const replicaB = deliveries.map(({ at, body }) => parseAlertmanagerWebhook(body, catalogue, T0 + at * MINUTE + 2_000));

  /** Arrival times differ between replicas by design; everything else must not. */
  function withoutArrivalTimes(state: CorrelationState): unknown {
    return state.incidents.map(({ firstSeen: _firstSeen, lastSeen: _lastSeen, alerts, ...rest }) => ({
      ...rest,
      alerts: Object.fromEntries(Object.entries(alerts).map(([fingerprint, { firstSeen: _first, lastSeen: _last, ...alert }]) => [fingerprint, alert])),
    }));
  }

  it.each([
    ['each replica right after the other', [['A', 0], ['B', 0], ['A', 1], ['B', 1], ['A', 2], ['B', 2], ['A', 3], ['B', 3]]],
    ['the second replica lagging by a whole notification', [['A', 0], ['A', 1], ['B', 0], ['A', 2], ['B', 1], ['A', 3], ['B', 2], ['B', 3]]],
    ['the second replica delivering its firing after the first has resolved everything', [['A', 0], ['A', 1], ['A', 2], ['A', 3], ['B', 0], ['B', 1], ['B', 2], ['B', 3]]],
  ] as const)('gives the same incidents as one delivery: %s', (_, order) => {
    const single = replay(replicaA.flat()).state;
    const interleaved = replay(order.flatMap(([replica, index]) => (replica === 'A' ? replicaA : replicaB)[index]!)).state;
    expect(withoutArrivalTimes(interleaved)).toEqual(withoutArrivalTimes(single));
    const incident = only(interleaved);
    expect(incident).toMatchObject({ status: 'resolved', origin: 'database', services: ['database', 'order-service'], resolvedAt: Date.UTC(2024, 4, 14, 10, 14) });
    expect(Math.abs(incident.lastSeen - only(single).lastSeen)).toBeLessThanOrEqual(2_000);
  });
});

describe('applyAlert: flapping', () => {
  const flappy = (status: 'firing' | 'resolved', minute: number): Alert =>
    managerAlert({
      fingerprint: 'f1a9f1a9f1a9f1a9',
      service: 'payment',
      status,
      startsAt: T0 + (status === 'firing' ? minute : minute - 3) * MINUTE,
      ...(status === 'resolved' ? { endsAt: T0 + minute * MINUTE } : {}),
      receivedAt: T0 + minute * MINUTE,
    });

  it('turns fire/resolve three times within 30 minutes into one open, flapping incident instead of three', () => {
    const { state, changes } = replay([flappy('firing', 0), flappy('resolved', 3), flappy('firing', 8), flappy('resolved', 11), flappy('firing', 16), flappy('resolved', 19)]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'resolved', 'opened', 'flapping', 'updated', 'updated']);
    expect(changes[2]!.reopened).toBe(true);
    expect(new Set(changes.map((change) => change.incidentId))).toEqual(new Set(['incident-1']));
    expect(only(state)).toMatchObject({ status: 'open', flapping: true });
  });

  it('resolves a flapping incident once its alerts have been calm for the flapping window', () => {
    const { state } = replay([flappy('firing', 0), flappy('resolved', 3), flappy('firing', 8), flappy('resolved', 11)]);
    expect(settleIncidents(state, T0 + 30 * MINUTE).changes).toEqual([]);
    const settled = settleIncidents(state, T0 + 42 * MINUTE);
    expect(settled.changes).toEqual([expect.objectContaining({ kind: 'resolved', incidentId: 'incident-1' })]);
    expect(only(settled)).toMatchObject({ status: 'resolved', flapping: true, resolvedAt: T0 + 11 * MINUTE });
  });

  it('does not call a single fire and resolve flapping', () => {
    const { state } = replay([flappy('firing', 0), flappy('resolved', 3)]);
    expect(only(state)).toMatchObject({ status: 'resolved', flapping: false });
  });
});

describe('applyAlert: resolved before firing', () => {
  const firing = managerAlert({ fingerprint: 'b0b0b0b0b0b0b0b0', service: 'shipping', status: 'firing', startsAt: T0, receivedAt: T0 + 2 * MINUTE });
  const resolved = managerAlert({ ...firing, status: 'resolved', endsAt: T0 + MINUTE, receivedAt: T0 + MINUTE });

  it('opens nothing when the resolve arrives before its firing', () => {
    const { state, changes } = replay([resolved, firing]);
    expect(changes.map((change) => change.kind)).toEqual(['ignored', 'ignored']);
    expect(state.incidents).toEqual([]);
    expect(state.tombstones).toEqual([{ fingerprint: firing.fingerprint, source: 'alertmanager', endsAt: T0 + MINUTE, receivedAt: T0 + MINUTE }]);
  });

  it('still opens a later episode of the same alert', () => {
    const later = { ...firing, startsAt: T0 + 10 * MINUTE, receivedAt: T0 + 10 * MINUTE };
    const { state, changes } = replay([resolved, firing, later]);
    expect(changes.map((change) => change.kind)).toEqual(['ignored', 'ignored', 'opened']);
    expect(only(state).status).toBe('open');
    expect(state.tombstones).toEqual([]);
  });

  it('does not reopen a resolved incident for a later episode whose resolve came first', () => {
    const second = { ...firing, startsAt: T0 + 5 * MINUTE, receivedAt: T0 + 7 * MINUTE };
    const secondResolved = { ...second, status: 'resolved' as const, endsAt: T0 + 6 * MINUTE, receivedAt: T0 + 6 * MINUTE };
    const { state, changes } = replay([{ ...firing, receivedAt: T0 }, resolved, secondResolved, second]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'resolved', 'duplicate', 'ignored']);
    expect(only(state)).toMatchObject({ status: 'resolved' });
  });

  it('ignores a late resolve of an earlier episode', () => {
    const first = { ...firing, receivedAt: T0 };
    const firstResolved = { ...resolved };
    const second = { ...firing, startsAt: T0 + 5 * MINUTE, receivedAt: T0 + 5 * MINUTE };
    const { state, changes } = replay([first, firstResolved, second, { ...firstResolved, receivedAt: T0 + 6 * MINUTE }]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'resolved', 'opened', 'ignored']);
    expect(only(state).status).toBe('open');
  });
});

describe('applyAlert: severity', () => {
  it('escalates when a more severe alert joins, and reports the step', () => {
    const { state, changes } = replay([detectorAlert('order-service', ['latency_p95'], T0, 'warning'), detectorAlert('database', ['error_rate', 'latency_p95'], T0 + MINUTE, 'critical')]);
    expect(changes[1]).toMatchObject({ kind: 'escalated', previousSeverity: 'warning', severity: 'critical' });
    expect(only(state).severity).toBe('critical');
  });

  it('escalates when the same finding comes back more severe', () => {
    const { changes } = replay([detectorAlert('cart', ['cpu'], T0, 'info'), detectorAlert('cart', ['cpu'], T0 + MINUTE, 'warning')]);
    expect(changes[1]).toMatchObject({ kind: 'escalated', previousSeverity: 'info', severity: 'warning' });
  });

  it('steps down to the most severe alert still firing', () => {
    const critical = managerAlert({ fingerprint: 'c000000000000001', service: 'database', severity: 'critical', status: 'firing', startsAt: T0, receivedAt: T0 });
    const warning = managerAlert({ fingerprint: 'c000000000000002', service: 'user', severity: 'warning', status: 'firing', startsAt: T0, receivedAt: T0 + MINUTE });
    const { state, changes } = replay([critical, warning, { ...critical, status: 'resolved', endsAt: T0 + 2 * MINUTE, receivedAt: T0 + 2 * MINUTE }]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined', 'updated']);
    expect(changes[2]).toMatchObject({ previousSeverity: 'critical', severity: 'warning' });
    expect(only(state)).toMatchObject({ status: 'open', severity: 'warning' });
  });
});

describe('settleIncidents: detector alerts', () => {
  it('ends a detector alert that is no longer reported, and its incident with it', () => {
    const { state } = replay([detectorAlert('cart', ['cpu'], T0), detectorAlert('cart', ['cpu'], T0 + MINUTE)]);
    expect(settleIncidents(state, T0 + 5 * MINUTE).changes).toEqual([]);
    const settled = settleIncidents(state, T0 + 7 * MINUTE);
    expect(settled.changes).toEqual([expect.objectContaining({ kind: 'resolved', incidentId: 'incident-1' })]);
    expect(only(settled)).toMatchObject({ status: 'resolved', resolvedAt: T0 + 6 * MINUTE });
  });

  it('treats a finding reported again after the resolve timeout as a new episode', () => {
    const { state, changes } = replay([detectorAlert('cart', ['cpu'], T0), detectorAlert('cart', ['cpu'], T0 + 10 * MINUTE)]);
    expect(changes[1]!.kind).toBe('updated');
    expect(Object.values(only(state).alerts)[0]).toMatchObject({ status: 'firing', startsAt: T0 + 10 * MINUTE, transitions: [T0, T0 + 5 * MINUTE, T0 + 10 * MINUTE] });
  });
});

describe('originOf', () => {
  it('falls back to the earliest affected service when a dependency cycle leaves no root', () => {
    const cyclic = {
      ...catalogue,
      services: {
        ...catalogue.services,
        database: { ...catalogue.services.database!, dependencies: ['order-service'] },
      },
    };
    const alert = (service: string, startsAt: number) => ({ ...Object.values(replay([detectorAlert(service, ['cpu'], startsAt)]).state.incidents[0]!.alerts)[0]! });
    expect(originOf([alert('database', T0 + MINUTE), alert('order-service', T0)], cyclic)).toBe('order-service');
    expect(originOf([alert('database', T0 + MINUTE), alert('order-service', T0)], catalogue)).toBe('database');
  });
});

describe('applyAlert: reopening', () => {
  it('opens a new incident when the same alert fires long after its incident resolved', () => {
    const firing = managerAlert({ fingerprint: 'e000000000000001', service: 'user', status: 'firing', startsAt: T0, receivedAt: T0 });
    const { state, changes } = replay([
      firing,
      { ...firing, status: 'resolved', endsAt: T0 + MINUTE, receivedAt: T0 + MINUTE },
      { ...firing, startsAt: T0 + 60 * MINUTE, receivedAt: T0 + 60 * MINUTE },
    ]);
    expect(changes.map((change) => [change.kind, change.incidentId])).toEqual([
      ['opened', 'incident-1'],
      ['resolved', 'incident-1'],
      ['opened', 'incident-2'],
    ]);
    expect(state.incidents.map((incident) => incident.status)).toEqual(['resolved', 'open']);
  });
});

describe('applyAlert: tombstones', () => {
  it('forgets a tombstone after its retention', () => {
    const resolved = managerAlert({ fingerprint: 'a1a1a1a1a1a1a1a1', service: 'cart', status: 'resolved', startsAt: T0, endsAt: T0, receivedAt: T0 });
    const { state } = replay([resolved, detectorAlert('payment', ['cpu'], T0 + 61 * MINUTE)]);
    expect(state.tombstones).toEqual([]);
    expect(emptyState()).toEqual({ incidents: [], tombstones: [] });
  });
});

describe('resolveIncident: resolving by hand', () => {
  const database = managerAlert({ fingerprint: 'r000000000000001', service: 'database', status: 'firing', startsAt: T0, receivedAt: T0 });
  const orders = managerAlert({ fingerprint: 'r000000000000002', service: 'order-service', status: 'firing', severity: 'critical', startsAt: T0 + MINUTE, receivedAt: T0 + MINUTE });
  const opened = () => replay([database, orders]).state;

  it('ends every firing alert at the time given and names who resolved it', () => {
    const before = opened();
    const frozen = JSON.stringify(before);
    const { change, ...state } = resolveIncident(before, 'incident-1', { by: 'U0DAVE', at: T0 + 10 * MINUTE });
    expect(JSON.stringify(before)).toBe(frozen);
    const incident = only(state);
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt: T0 + 10 * MINUTE, resolvedBy: 'U0DAVE', severity: 'critical' });
    expect(Object.values(incident.alerts).map((alert) => [alert.status, alert.endsAt])).toEqual([
      ['resolved', T0 + 10 * MINUTE],
      ['resolved', T0 + 10 * MINUTE],
    ]);
    expect(change).toEqual({ kind: 'resolved', incidentId: 'incident-1', fingerprint: 'r000000000000001', reason: 'resolved by hand by U0DAVE', severity: 'critical' });
  });

  it('gives no change for an incident already resolved or unknown, so a double click is harmless', () => {
    const once = resolveIncident(opened(), 'incident-1', { by: 'U0DAVE', at: T0 + 10 * MINUTE });
    const twice = resolveIncident(once, 'incident-1', { by: 'U0ERIN', at: T0 + 11 * MINUTE });
    expect(twice.change).toBeUndefined();
    expect(only(twice)).toEqual(only(once));
    expect(resolveIncident(opened(), 'incident-9', { by: 'U0DAVE', at: T0 }).change).toBeUndefined();
  });

  it('ignores a redelivery of the episode it ended, and reopens the incident for a new one within the window, forgetting who resolved it', () => {
    const resolved = resolveIncident(opened(), 'incident-1', { by: 'U0DAVE', at: T0 + 10 * MINUTE });
    const { state, changes } = replay(
      [
        // Alertmanager repeats the alert that was still firing: same episode, already over.
        { ...database, receivedAt: T0 + 12 * MINUTE },
        // It fires again: a new episode soon after.
        { ...database, startsAt: T0 + 15 * MINUTE, receivedAt: T0 + 15 * MINUTE },
      ],
      {},
      { incidents: resolved.incidents, tombstones: resolved.tombstones },
    );
    expect(changes.map((change) => change.kind)).toEqual(['ignored', 'opened']);
    expect(changes[1]).toMatchObject({ incidentId: 'incident-1', reopened: true });
    const incident = only(state);
    expect(incident.status).toBe('open');
    expect(incident.resolvedBy).toBeUndefined();
    expect(incident.resolvedAt).toBeUndefined();
    expect(incident.alerts.r000000000000001).toMatchObject({ status: 'firing', startsAt: T0 + 15 * MINUTE });
    expect(incident.alerts.r000000000000002).toMatchObject({ status: 'resolved' });
  });

  it('opens a new incident when the alert fires again long after, as for any resolved incident', () => {
    const resolved = resolveIncident(opened(), 'incident-1', { by: 'U0DAVE', at: T0 + 10 * MINUTE });
    const { state, changes } = replay([{ ...database, startsAt: T0 + 2 * 60 * MINUTE, receivedAt: T0 + 2 * 60 * MINUTE }], { newIncidentId: () => 'incident-2' }, resolved);
    expect(changes.map((change) => [change.kind, change.incidentId])).toEqual([['opened', 'incident-2']]);
    expect(state.incidents.map((incident) => [incident.id, incident.status, incident.resolvedBy])).toEqual([
      ['incident-1', 'resolved', 'U0DAVE'],
      ['incident-2', 'open', undefined],
    ]);
  });

  it('lets a detector reopen it with a new finding, not with reports of the finding it ended', () => {
    const finding = detectorAlert('payment', ['error_rate'], T0);
    const { state: open } = replay([finding]);
    const resolved = resolveIncident(open, 'incident-1', { by: 'U0DAVE', at: T0 + 2 * MINUTE });
    const { changes } = replay(
      [
        { ...finding, receivedAt: T0 + 3 * MINUTE },
        detectorAlert('payment', ['error_rate'], T0 + 6 * MINUTE),
      ],
      {},
      resolved,
    );
    expect(changes.map((change) => change.kind)).toEqual(['ignored', 'opened']);
    expect(changes[1]).toMatchObject({ incidentId: 'incident-1', reopened: true });
  });

  it('is left alone by settling once resolved', () => {
    const resolved = resolveIncident(replay([detectorAlert('payment', ['error_rate'], T0)]).state, 'incident-1', { by: 'U0DAVE', at: T0 + MINUTE });
    const settled = settleIncidents(resolved, T0 + 60 * MINUTE);
    expect(settled.changes).toEqual([]);
    expect(only(settled)).toEqual(only(resolved));
  });
});
