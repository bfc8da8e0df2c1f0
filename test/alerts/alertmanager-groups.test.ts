import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager.js';
import type { CorrelationState, Incident } from '../../src/alerts/correlate.js';
import { incidentSubject } from '../../src/alerts/incident-subject.js';
import type { Catalogue } from '../../src/catalogue.js';
import { incidentMessage } from '../../src/slack/blocks/incident-message.js';
import { MINUTE, T0, catalogue, replay } from './builders.js';

/**
 * Issue 13, point 1: Alertmanager's grouping is honoured. The groupKey is the smallest unit: a
 * group's alerts never land in two open incidents, and two groups share one only for a stated
 * reason (the same catalogued service, a call-graph edge, a correlation rule). Uncatalogued
 * alerts are named by their groupLabels, and the message links back to the group and the graph.
 */

const EXTERNAL_URL = 'http://alertmanager.monitoring:9093';

interface GroupAlert {
  name: string;
  labels?: Record<string, string>;
  status?: 'firing' | 'resolved';
  summary?: string;
}

/** One Alertmanager notification of a group, as a webhook receiver gets it. */
function notification(groupLabels: Record<string, string>, alerts: readonly GroupAlert[], extra: { truncatedAlerts?: number; commonLabels?: Record<string, string> } = {}) {
  const matchers = Object.entries(groupLabels).map(([name, value]) => `${name}="${value}"`).join(',');
  return {
    version: '4',
    groupKey: `{}/{}:{${matchers}}`,
    truncatedAlerts: extra.truncatedAlerts ?? 0,
    status: alerts.some((alert) => (alert.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'aiops',
    groupLabels,
    commonLabels: extra.commonLabels ?? groupLabels,
    commonAnnotations: {},
    externalURL: EXTERNAL_URL,
    alerts: alerts.map((alert) => ({
      status: alert.status ?? 'firing',
      labels: { alertname: alert.name, severity: 'warning', ...groupLabels, ...alert.labels },
      annotations: alert.summary === undefined ? {} : { summary: alert.summary },
      startsAt: '2024-05-14T09:59:00Z',
      endsAt: alert.status === 'resolved' ? '2024-05-14T10:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.monitoring:9090/graph?g0.expr=${encodeURIComponent(`${alert.name}{job="probe"}`)}&g0.tab=1`,
    })),
  };
}

function parse(body: unknown, at: number, using: Catalogue = catalogue): Alert[] {
  return parseAlertmanagerWebhook(body, using, at);
}

function openIncidents(state: CorrelationState): Incident[] {
  return state.incidents.filter((incident) => incident.status === 'open');
}

function messageText(incident: Incident): string {
  return JSON.stringify(incidentMessage(incident, { now: T0 + 30 * MINUTE }).blocks);
}

describe('Alertmanager groups: uncatalogued services', () => {
  // 20 probed services nobody catalogued, grouped per service by Alertmanager (group_by: [service]),
  // the same three rules on each, no summary annotations; each group re-sent 30 times.
  const services = Array.from({ length: 20 }, (_, index) => `probe-svc-${index + 1}`);
  const names = ['ProbeFailed', 'HighLatency', 'TargetDown'];
  const deliveries = Array.from({ length: 30 }, (_, round) => services.map((service, index) => parse(notification({ service }, names.map((name) => ({ name }))), T0 + round * 30_000 + index * 100))).flat();

  it('makes 600 deliveries for 20 services grouped per service into 20 incidents, one per group', () => {
    expect(deliveries).toHaveLength(600);
    const { state } = replay(deliveries.flat());
    const incidents = openIncidents(state);
    expect(incidents).toHaveLength(20);
    for (const incident of incidents) {
      const labelled = new Set(Object.values(incident.alerts).map((alert) => alert.summary.replace(/^\w+ on /, '')));
      expect(labelled.size).toBe(1);
      expect(Object.keys(incident.alerts)).toHaveLength(3);
      expect(Object.keys(incident.groups ?? {})).toHaveLength(1);
    }
    expect(incidents.map(incidentSubject).sort()).toEqual(services.map((service) => `service=${service}`).sort());
  });

  it('names an uncatalogued incident by its group labels in the title, and never drops the service from the text without a summary', () => {
    const { state } = replay(deliveries.slice(0, 20).flat());
    const incident = openIncidents(state).find((candidate) => incidentSubject(candidate) === 'service=probe-svc-3')!;
    const text = messageText(incident);
    expect(text).toContain('· service=probe-svc-3');
    expect(text).not.toContain('unknown service');
    expect(text).toContain('Alertmanager group: *service=probe-svc-3* · no catalogued service');
    for (const name of names) expect(text).toContain(`${name} on service=probe-svc-3`);
    expect(incidentMessage(incident, { now: T0 }).text).toContain('on service=probe-svc-3');
  });

  it('names a group cut by other labels after them: alertname and cluster', () => {
    const alerts = parse(notification({ alertname: 'NodeDown', cluster: 'eu-1' }, [{ name: 'NodeDown', labels: { instance: 'node-7' } }]), T0);
    expect(alerts[0]!.summary).toBe('NodeDown on cluster=eu-1');
    const incident = openIncidents(replay(alerts).state)[0]!;
    expect(incidentSubject(incident)).toBe('alertname=NodeDown, cluster=eu-1');
    expect(messageText(incident)).toContain('· alertname=NodeDown, cluster=eu-1');
  });

  it('says when Alertmanager left alerts out, and links the group and each alert’s graph', () => {
    const alerts = parse(notification({ service: 'probe-svc-9' }, [{ name: 'ProbeFailed' }], { truncatedAlerts: 30 }), T0);
    const incident = openIncidents(replay(alerts).state)[0]!;
    expect(incident.groups).toEqual({ '{}/{}:{service="probe-svc-9"}': { labels: { service: 'probe-svc-9' }, receiver: 'aiops', externalURL: EXTERNAL_URL, truncatedAlerts: 30 } });
    const text = messageText(incident);
    expect(text).toContain('Alertmanager left out 30 alerts of this group');
    expect(text).toContain(`<${EXTERNAL_URL}/#/alerts?receiver=aiops&filter=%7Bservice%3D%22probe-svc-9%22%7D|service=probe-svc-9>`);
    expect(text).toContain('<http://prometheus.monitoring:9090/graph?g0.expr=ProbeFailed%7Bjob%3D%22probe%22%7D&g0.tab=1|graph>');
  });

  it('redraws the message when a redelivery changes what Alertmanager left out', () => {
    const first = parse(notification({ service: 'probe-svc-9' }, [{ name: 'ProbeFailed' }], { truncatedAlerts: 3 }), T0);
    const again = parse(notification({ service: 'probe-svc-9' }, [{ name: 'ProbeFailed' }], { truncatedAlerts: 8 }), T0 + MINUTE);
    const { state, changes } = replay([...first, ...again]);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'updated']);
    expect(Object.values(state.incidents[0]!.groups!)[0]!.truncatedAlerts).toBe(8);
  });

  it('honours status: the group’s resolved notification resolves its incident', () => {
    const firing = parse(notification({ service: 'probe-svc-4' }, [{ name: 'ProbeFailed' }, { name: 'HighLatency' }]), T0);
    const resolved = parse(notification({ service: 'probe-svc-4' }, [{ name: 'ProbeFailed', status: 'resolved' }, { name: 'HighLatency', status: 'resolved' }]), T0 + 31 * MINUTE);
    const { state } = replay([...firing, ...resolved]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({ status: 'resolved', resolvedAt: Date.UTC(2024, 4, 14, 10, 30) });
  });

  it('ends a group’s alert whose resolve a max_alerts cut withheld once the group resolves whole', () => {
    const group = { service: 'probe-svc-5' };
    const both = parse(notification(group, [{ name: 'ProbeFailed' }, { name: 'HighLatency' }]), T0);
    // HighLatency resolved in this notification, but max_alerts cut it: its resolve never comes.
    const cut = parse(notification(group, [{ name: 'ProbeFailed' }], { truncatedAlerts: 1 }), T0 + 5 * MINUTE);
    const whole = parse(notification(group, [{ name: 'ProbeFailed', status: 'resolved' }]), T0 + 35 * MINUTE);
    const { state, changes } = replay([...both, ...cut, ...whole]);
    expect(state.incidents[0]).toMatchObject({ status: 'resolved', resolvedAt: Date.UTC(2024, 4, 14, 10, 30) });
    expect(Object.values(state.incidents[0]!.alerts).map((alert) => [alert.name, alert.status, alert.endsAt])).toEqual([
      ['ProbeFailed', 'resolved', Date.UTC(2024, 4, 14, 10, 30)],
      ['HighLatency', 'resolved', Date.UTC(2024, 4, 14, 10, 30)],
    ]);
    expect(changes.at(-1)!.reason).toBe('ProbeFailed resolved; its Alertmanager group resolved, ending 1 more alert whose resolve was left out');
  });

  it('does not end alerts of a resolved notification that left some out: those may still fire', () => {
    const group = { service: 'probe-svc-6' };
    const both = parse(notification(group, [{ name: 'ProbeFailed' }, { name: 'HighLatency' }]), T0);
    const partial = parse(notification(group, [{ name: 'ProbeFailed', status: 'resolved' }], { truncatedAlerts: 1 }), T0 + 35 * MINUTE);
    const { state } = replay([...both, ...partial]);
    expect(state.incidents[0]!.status).toBe('open');
  });
});

describe('Alertmanager groups: the group is the smallest unit', () => {
  it('keeps one group’s alerts in one incident even when the call graph does not relate them', () => {
    // cart and the database neither call each other nor share a caller's edge: only their group ties them.
    const alerts = parse(notification({ namespace: 'shop' }, [{ name: 'DatabaseSlow', labels: { service: 'database' } }, { name: 'CartErrors', labels: { service: 'cart' } }]), T0);
    const incidents = openIncidents(replay(alerts).state);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.services).toEqual(['cart', 'database']);
  });

  it('puts two groups of the same catalogued service in one incident, saying why', () => {
    const slow = parse(notification({ alertname: 'DatabaseSlow', service: 'database' }, [{ name: 'DatabaseSlow' }]), T0);
    const full = parse(notification({ alertname: 'DiskFull', service: 'database' }, [{ name: 'DiskFull' }]), T0 + MINUTE);
    const { state, changes } = replay([...slow, ...full]);
    expect(openIncidents(state)).toHaveLength(1);
    expect(changes.map((change) => change.kind)).toEqual(['opened', 'joined']);
  });

  it('keeps uncatalogued groups apart even with the same alert name, cluster and namespace', () => {
    const common = { cluster: 'eu-1', namespace: 'probes' };
    const one = parse(notification({ service: 'probe-a' }, [{ name: 'ProbeFailed', labels: common }]), T0);
    const two = parse(notification({ service: 'probe-b' }, [{ name: 'ProbeFailed', labels: common }]), T0 + MINUTE);
    expect(openIncidents(replay([...one, ...two]).state)).toHaveLength(2);
  });

  it('merges groups a configured correlation rule relates, and only then', () => {
    const withRule: Catalogue = { ...catalogue, alerting: { ...catalogue.alerting, correlation: [{ name: 'same node', sameLabels: ['cluster', 'node'] }] } };
    const disk = (using: Catalogue) => parse(notification({ alertname: 'NodeDiskFull', cluster: 'eu-1' }, [{ name: 'NodeDiskFull', labels: { node: 'node-7' } }]), T0, using);
    const kubelet = (using: Catalogue) => parse(notification({ alertname: 'KubeletDown', cluster: 'eu-1' }, [{ name: 'KubeletDown', labels: { node: 'node-7' } }]), T0 + MINUTE, using);
    const other = (using: Catalogue) => parse(notification({ alertname: 'KubeletDown', cluster: 'eu-1' }, [{ name: 'KubeletDown', labels: { node: 'node-8' } }]), T0 + 2 * MINUTE, using);

    expect(openIncidents(replay([...disk(catalogue), ...kubelet(catalogue)]).state)).toHaveLength(2);

    const ruled = replay([...disk(withRule), ...kubelet(withRule), ...other(withRule)], {}, undefined, withRule);
    // node-8's kubelet alert is in node-7's KubeletDown group: the group keeps it there too.
    expect(openIncidents(ruled.state)).toHaveLength(1);
    expect(ruled.changes.map((change) => change.reason)).toContain('KubeletDown on alertname=KubeletDown, cluster=eu-1 joined: correlation rule "same node" (cluster=eu-1, node=node-7)');
  });
});
