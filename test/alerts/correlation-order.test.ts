import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager.js';
import type { CorrelationState } from '../../src/alerts/correlate.js';
import { originOf } from '../../src/alerts/origin.js';
import type { Catalogue } from '../../src/catalogue.js';
import { seededRandom, seededShuffle } from '../support/seeded-random.js';
import { MINUTE, T0, catalogue, detectorAlert, replay } from './builders.js';

/**
 * Issue 13, point 3: the same set of alerts gives the same incidents whatever the order they
 * arrive in. An alert that bridges two open incidents merges them (the older survives, the other
 * is closed into it, each told why), and origin ties are broken by evidence, never by name.
 */

const withNodeRule: Catalogue = { ...catalogue, alerting: { ...catalogue.alerting, correlation: [{ name: 'same node', sameLabels: ['node'] }] } };

interface StormAlert {
  name: string;
  labels: Record<string, string>;
  severity: 'critical' | 'warning';
  /** Minutes after T0 the condition began. */
  onset: number;
}

/** One Alertmanager notification: a group and (some of) its alerts. */
interface Notification {
  groupLabels: Record<string, string>;
  alerts: StormAlert[];
}

/**
 * A storm over the example shop plus probes and a node nobody catalogued. Grouped per service (and
 * per alertname for the node), each group sent three times. The database and the cache fail at
 * the same minute, and order-service (calling both) bridges their incidents; payment, cart and
 * shipping cascade from them. The probes are two unrelated groups; the node's two groups share
 * a `node` label, which the catalogue's rule correlates.
 */
function storm(): Notification[] {
  const service = (name: string, alerts: Array<[string, 'critical' | 'warning', number]>): Notification => ({
    groupLabels: { service: name },
    alerts: alerts.map(([alertname, severity, onset]) => ({ name: alertname, labels: { service: name }, severity, onset })),
  });
  const groups: Notification[] = [
    service('database', [['DatabaseSlow', 'critical', 0], ['DatabaseConnectionsHigh', 'warning', 1]]),
    service('cache', [['CacheEvictions', 'warning', 0]]),
    service('payment', [['PaymentErrors', 'warning', 2]]),
    service('cart', [['CartErrors', 'warning', 2], ['CartLatency', 'warning', 3]]),
    service('shipping', [['ShippingErrors', 'warning', 3]]),
    service('order-service', [['OrdersFailing', 'critical', 3]]),
    service('probe-svc-1', [['ProbeFailed', 'warning', 1], ['HighLatency', 'warning', 2]]),
    service('probe-svc-2', [['ProbeFailed', 'warning', 1]]),
    { groupLabels: { alertname: 'NodeDiskFull' }, alerts: [{ name: 'NodeDiskFull', labels: { node: 'node-7' }, severity: 'warning', onset: 0 }] },
    { groupLabels: { alertname: 'KubeletDown' }, alerts: [{ name: 'KubeletDown', labels: { node: 'node-7' }, severity: 'critical', onset: 2 }] },
  ];
  // Alertmanager re-sends each group at every group_interval; a grown group may arrive before an older notification of it.
  return groups.flatMap((group) => [group, group, { ...group, alerts: group.alerts.slice(0, 1) }]);
}

function parse(notification: Notification, receivedAt: number): Alert[] {
  const matchers = Object.entries(notification.groupLabels).map(([name, value]) => `${name}="${value}"`).join(',');
  return parseAlertmanagerWebhook(
    {
      version: '4',
      groupKey: `{}:{${matchers}}`,
      status: 'firing',
      receiver: 'aiops',
      groupLabels: notification.groupLabels,
      alerts: notification.alerts.map((alert) => ({
        status: 'firing',
        labels: { alertname: alert.name, severity: alert.severity, ...alert.labels },
        startsAt: new Date(T0 + alert.onset * MINUTE).toISOString(),
      })),
    },
    withNodeRule,
    receivedAt,
  );
}

/** The incidents as people would tell them apart: which alerts each holds and its likely origin; ids and arrival times aside. */
function signature(state: CorrelationState): string[] {
  return state.incidents
    .filter((incident) => incident.status === 'open')
    .map((incident) => `${incident.origin ?? '-'}: ${Object.values(incident.alerts).map((alert) => alert.summary).sort().join(', ')}`)
    .sort();
}

describe('incidents do not depend on arrival order', () => {
  const notifications = storm();
  const expected = [
    '-: HighLatency on service=probe-svc-1, ProbeFailed on service=probe-svc-1',
    '-: KubeletDown on node=node-7, NodeDiskFull on node=node-7',
    '-: ProbeFailed on service=probe-svc-2',
    'database: CacheEvictions on cache, CartErrors on cart, CartLatency on cart, DatabaseConnectionsHigh on database, DatabaseSlow on database, OrdersFailing on order-service, PaymentErrors on payment, ShippingErrors on shipping',
  ];

  it('gives the same incidents, with the same origins, over 300 seeded shuffles of a storm with bridging alerts', () => {
    const random = seededRandom(13);
    const seen = new Map<string, number>();
    for (let run = 0; run < 300; run++) {
      // Deliveries 2 s apart in shuffled order: receipt times follow the order, onsets do not.
      const alerts = seededShuffle(notifications, random).flatMap((notification, index) => parse(notification, T0 + 5 * MINUTE + index * 2_000));
      const { state } = replay(alerts, {}, undefined, withNodeRule);
      const key = signature(state).join('\n');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen.keys()]).toEqual([expected.join('\n')]);
  });

  it('keeps the alerts of every group in one open incident, and every alert in exactly one', () => {
    const random = seededRandom(8);
    for (let run = 0; run < 50; run++) {
      const alerts = seededShuffle(notifications, random).flatMap((notification, index) => parse(notification, T0 + 5 * MINUTE + index * 2_000));
      const open = replay(alerts, {}, undefined, withNodeRule).state.incidents.filter((incident) => incident.status === 'open');
      const holders = new Map<string, string[]>();
      for (const incident of open) for (const alert of Object.values(incident.alerts)) holders.set(alert.fingerprint, [...(holders.get(alert.fingerprint) ?? []), incident.id]);
      expect([...holders.values()].every((ids) => ids.length === 1)).toBe(true);
      const groupsOf = new Map<string, Set<string>>();
      for (const incident of open) for (const alert of Object.values(incident.alerts)) groupsOf.set(alert.group!, new Set([...(groupsOf.get(alert.group!) ?? []), incident.id]));
      expect([...groupsOf.values()].every((ids) => ids.size === 1)).toBe(true);
    }
  });
});

describe('merging when an alert bridges two open incidents', () => {
  const database = detectorAlert('database', ['latency_p95'], T0, 'critical');
  const cache = detectorAlert('cache', ['error_rate'], T0 + MINUTE);
  const orders = detectorAlert('order-service', ['error_rate'], T0 + 2 * MINUTE);

  it('closes the newer into the older, moves its alerts, and tells each thread why', () => {
    const { state, changes } = replay([database, cache, orders]);
    expect(changes.map((change) => [change.kind, change.incidentId])).toEqual([
      ['opened', 'incident-1'],
      ['opened', 'incident-2'],
      ['merged', 'incident-2'],
      ['absorbed', 'incident-1'],
      ['joined', 'incident-1'],
    ]);
    expect(changes[2]).toMatchObject({ mergedInto: 'incident-1', fingerprint: orders.fingerprint });
    expect(changes[3]).toMatchObject({ mergedFrom: 'incident-2', fingerprint: orders.fingerprint });
    expect(changes[2]!.reason).toBe('AnomalyDetected on order-service bridged them: order-service calls database (incident-1), order-service calls cache (incident-2)');
    const [survivor, closed] = state.incidents;
    expect(survivor).toMatchObject({ status: 'open', services: ['cache', 'database', 'order-service'], origin: 'database', mergedFrom: ['incident-2'] });
    expect(Object.keys(survivor!.alerts).sort()).toEqual([database, cache, orders].map((alert) => alert.fingerprint).sort());
    expect(closed).toMatchObject({ status: 'resolved', mergedInto: 'incident-1', resolvedAt: orders.receivedAt, alerts: {}, services: ['cache'] });
  });

  it('sends a merged incident’s alerts to the survivor afterwards, and resolves the survivor with them', () => {
    const { state, changes } = replay([database, cache, orders, { ...cache, status: 'resolved', endsAt: T0 + 4 * MINUTE, receivedAt: T0 + 4 * MINUTE }]);
    expect(changes.at(-1)).toMatchObject({ kind: 'updated', incidentId: 'incident-1' });
    expect(state.incidents[0]!.alerts[cache.fingerprint]!.status).toBe('resolved');
  });

  it('bridges three incidents at once into the oldest', () => {
    const payment = detectorAlert('payment', ['error_rate'], T0 + MINUTE);
    // catalogue calls both the database and the cache; user does too.
    const cart = detectorAlert('cart', ['error_rate'], T0 + MINUTE);
    const checkout = detectorAlert('checkout', ['error_rate'], T0 + 3 * MINUTE);
    const { state, changes } = replay([payment, cart, detectorAlert('shipping', ['error_rate'], T0 + 2 * MINUTE), checkout]);
    expect(changes.filter((change) => change.kind === 'merged').map((change) => [change.incidentId, change.mergedInto])).toEqual([
      ['incident-2', 'incident-1'],
      ['incident-3', 'incident-1'],
    ]);
    expect(state.incidents.filter((incident) => incident.status === 'open')).toHaveLength(1);
  });

  it('lets load alone join, never merge', () => {
    const surge = detectorAlert('order-service', ['request_rate'], T0 + 2 * MINUTE);
    const { state, changes } = replay([database, cache, surge]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'opened', 'joined']);
    expect(state.incidents.filter((incident) => incident.status === 'open')).toHaveLength(2);
  });
});

describe('originOf: ties broken by evidence, never by name', () => {
  const alertOf = (alert: Alert) => Object.values(replay([alert]).state.incidents[0]!.alerts)[0]!;

  it('prefers the more urgent of two roots that began together (the database over the cache)', () => {
    const alerts = [alertOf(detectorAlert('cache', ['error_rate'], T0, 'warning')), alertOf(detectorAlert('database', ['latency_p95'], T0, 'critical'))];
    expect(originOf(alerts, catalogue)).toBe('database');
  });

  it('prefers the root deeper in the call graph when onset and severity tie', () => {
    // cart sits 2 calls below the frontend, the database 3.
    const alerts = [alertOf(detectorAlert('cart', ['error_rate'], T0)), alertOf(detectorAlert('database', ['error_rate'], T0))];
    expect(originOf(alerts, catalogue)).toBe('database');
  });

  it('prefers the root more affected services depend on when onset, depth and severity tie', () => {
    const alerts = ['cache', 'database', 'payment', 'shipping', 'cart'].map((service) => alertOf(detectorAlert(service, ['error_rate'], T0)));
    expect(originOf(alerts, catalogue)).toBe('database');
  });

  it('still goes by onset first: the cache failed a minute before the database', () => {
    const alerts = [alertOf(detectorAlert('database', ['error_rate'], T0 + MINUTE, 'critical')), alertOf(detectorAlert('cache', ['error_rate'], T0))];
    expect(originOf(alerts, catalogue)).toBe('cache');
  });
});
