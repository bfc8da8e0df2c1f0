import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook, resolveService, severityFromLabel } from '../../src/alerts/alertmanager.js';
import { labelsFingerprint } from '../../src/alerts/fingerprint.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { catalogue } from './builders.js';

const RECEIVED_AT = Date.UTC(2024, 4, 14, 10, 2, 30);

/** What Alertmanager 0.27 POSTs to a webhook receiver: one group, two alerts firing, one resolved. */
function webhook(): Record<string, unknown> {
  return {
    receiver: 'aiops',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'HighErrorRate',
          namespace: 'shop',
          service: 'order-service',
          severity: 'critical',
          prometheus: 'monitoring/k8s',
        },
        annotations: {
          summary: 'order-service is failing 7.2% of requests',
          description: 'More than 5% of requests to order-service returned 5xx over the last 5 minutes.\nCheck the database.',
          runbook_url: 'https://runbooks.example.com/high-error-rate',
        },
        startsAt: '2024-05-14T09:58:12.345678901Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=sum%28rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29&g0.tab=1',
        fingerprint: '6a1b9f0c2d3e4f50',
      },
      {
        status: 'firing',
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'shop',
          pod: 'database-7c9f8d6b5-x2x9q',
          container: 'database',
          job: 'kube-state-metrics',
          severity: 'warning',
        },
        annotations: { description: 'Pod shop/database-7c9f8d6b5-x2x9q (database) is in waiting state (reason: "CrashLoopBackOff").' },
        startsAt: '2024-05-14T11:57:40+02:00',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=kube_pod_container_status_waiting_reason&g0.tab=1',
        fingerprint: '0d4c1e2f3a4b5c6d',
      },
      {
        status: 'resolved',
        labels: { alertname: 'NodeFilesystemSpaceFillingUp', instance: 'node-3:9100', mountpoint: '/', severity: 'info' },
        annotations: { summary: 'Filesystem on node-3 is predicted to run out of space within 24 hours.' },
        startsAt: '2024-05-14T08:30:00Z',
        endsAt: '2024-05-14T10:01:00Z',
        generatorURL: 'http://prometheus.monitoring:9090/graph?g0.expr=node_filesystem_avail_bytes&g0.tab=1',
        fingerprint: 'f1e2d3c4b5a69788',
      },
    ],
    groupLabels: { namespace: 'shop' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    version: '4',
    groupKey: '{}/{severity=~"info|warning|critical"}:{namespace="shop"}',
    truncatedAlerts: 0,
  };
}

function alertsOf(webhookBody: Record<string, unknown>): Array<Record<string, unknown>> {
  return webhookBody.alerts as Array<Record<string, unknown>>;
}

function failure(body: unknown): AiopsError {
  try {
    parseAlertmanagerWebhook(body, catalogue, RECEIVED_AT);
  } catch (error) {
    expect(error).toBeInstanceOf(AiopsError);
    return error as AiopsError;
  }
  throw new Error('parseAlertmanagerWebhook accepted a malformed payload');
}

describe('parseAlertmanagerWebhook', () => {
  it('turns a version 4 payload into one alert per entry, firing and resolved', () => {
    const alerts = parseAlertmanagerWebhook(webhook(), catalogue, RECEIVED_AT);
    expect(alerts).toHaveLength(3);
    const [errors, crashLoop, filesystem] = alerts;
    expect(errors).toEqual({
      fingerprint: '6a1b9f0c2d3e4f50',
      source: 'alertmanager',
      status: 'firing',
      name: 'HighErrorRate',
      service: 'order-service',
      severity: 'critical',
      labels: alertsOf(webhook())[0]!.labels,
      annotations: {
        ...(alertsOf(webhook())[0]!.annotations as Record<string, string>),
        generatorURL: alertsOf(webhook())[0]!.generatorURL,
      },
      // Nanoseconds are cut to milliseconds; the zero endsAt means "not ended".
      startsAt: Date.UTC(2024, 4, 14, 9, 58, 12, 345),
      endsAt: undefined,
      receivedAt: RECEIVED_AT,
      summary: 'order-service is failing 7.2% of requests',
      // The notification's group travels with each of its alerts; the graph link is its own field too.
      group: { key: '{}/{severity=~"info|warning|critical"}:{namespace="shop"}', labels: { namespace: 'shop' }, receiver: 'aiops', externalURL: 'http://alertmanager.monitoring:9093', truncatedAlerts: 0, status: 'firing' },
      generatorURL: alertsOf(webhook())[0]!.generatorURL,
      // The rule's runbook_url annotation: linked beside the alert in Slack.
      runbookURL: 'https://runbooks.example.com/high-error-rate',
    });
    // The container label names the database; the offset is honoured; the summary falls back to the description's first line.
    expect(crashLoop).toMatchObject({ service: 'database', severity: 'warning', startsAt: Date.UTC(2024, 4, 14, 9, 57, 40), endsAt: undefined });
    expect(crashLoop!.summary).toBe('Pod shop/database-7c9f8d6b5-x2x9q (database) is in waiting state (reason: "CrashLoopBackOff").');
    // No label names a catalogued service: kept, with no service, to be routed to a default.
    expect(filesystem).toMatchObject({ status: 'resolved', service: undefined, severity: 'info', endsAt: Date.UTC(2024, 4, 14, 10, 1), fingerprint: 'f1e2d3c4b5a69788' });
  });

  it('fingerprints alerts sent without one from their labels, as Alertmanager does', () => {
    const body = webhook();
    const first = alertsOf(body)[0]!;
    delete first.fingerprint;
    const [alert] = parseAlertmanagerWebhook(body, catalogue, RECEIVED_AT);
    expect(alert!.fingerprint).toBe(labelsFingerprint(first.labels as Record<string, string>));
  });

  it('accepts a payload trimmed to the fields that carry meaning', () => {
    const alerts = parseAlertmanagerWebhook(
      { version: '4', groupKey: '{}:{}', status: 'resolved', receiver: 'aiops', alerts: [{ status: 'resolved', labels: { alertname: 'Gone', app: 'cart' }, startsAt: '2024-05-14T09:00:00Z' }] },
      catalogue,
      RECEIVED_AT,
    );
    // A resolved alert without an end ended when we heard of it.
    expect(alerts).toEqual([expect.objectContaining({ service: 'cart', status: 'resolved', endsAt: RECEIVED_AT, annotations: {}, summary: 'Gone on cart' })]);
  });

  it.each([
    ['not an object', (): unknown => 'firing', 'body: expected a JSON object (an Alertmanager webhook payload)'],
    ['null', (): unknown => null, 'body: expected a JSON object (an Alertmanager webhook payload)'],
    ['a wrong version', (): unknown => ({ ...webhook(), version: '3' }), 'version: expected "4" (Alertmanager webhook payload version 4)'],
    ['a numeric version', (): unknown => ({ ...webhook(), version: 4 }), 'version: expected "4" (Alertmanager webhook payload version 4)'],
    ['alerts not an array', (): unknown => ({ ...webhook(), alerts: { 0: alertsOf(webhook())[0] } }), 'alerts: expected an array of alerts'],
    [
      'a bad time',
      (): unknown => {
        const body = webhook();
        alertsOf(body)[2]!.startsAt = '14/05/2024 08:30';
        return body;
      },
      'alerts[2].startsAt: expected an RFC 3339 time',
    ],
    [
      'missing labels',
      (): unknown => {
        const body = webhook();
        delete alertsOf(body)[1]!.labels;
        return body;
      },
      'alerts[1].labels: expected an object mapping label names to strings',
    ],
    [
      'a label that is not a string',
      (): unknown => {
        const body = webhook();
        (alertsOf(body)[0]!.labels as Record<string, unknown>).replicas = 3;
        return body;
      },
      'alerts[0].labels.replicas: expected a string',
    ],
    [
      'an unknown alert status',
      (): unknown => {
        const body = webhook();
        alertsOf(body)[0]!.status = 'pending';
        return body;
      },
      'alerts[0].status: expected "firing" or "resolved"',
    ],
  ])('rejects %s with one line naming the path', (_, body, message) => {
    const error = failure(body());
    expect(error.code).toBe(ErrorCode.InputInvalid);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('resolveService', () => {
  it('tries the labels in order and matches names, then deployments', () => {
    expect(resolveService({ app_kubernetes_io_name: 'payment' }, catalogue)).toBe('payment');
    expect(resolveService({ service: 'kube-state-metrics', job: 'shipping' }, catalogue)).toBe('shipping');
    expect(resolveService({ service: 'cart', app: 'user' }, catalogue)).toBe('cart');
  });

  it('takes a catalogue alias in the service or app label, after every exact name', () => {
    // order-service is also "orders", database also "db" and "postgres" (deploy/catalogue.example.yml).
    expect(resolveService({ service: 'orders' }, catalogue)).toBe('order-service');
    expect(resolveService({ app: 'Postgres', namespace: 'shop' }, catalogue)).toBe('database');
    expect(resolveService({ service: 'orders', job: 'payment' }, catalogue)).toBe('payment');
    // Kubernetes and Prometheus name the rest: a job or container called like an alias is not taken for it.
    expect(resolveService({ job: 'db' }, catalogue)).toBeUndefined();
    expect(resolveService({ service: 'orders', namespace: 'staging' }, catalogue)).toBeUndefined();
  });

  it('requires the namespace to agree when there is one', () => {
    expect(resolveService({ service: 'cart', namespace: 'shop' }, catalogue)).toBe('cart');
    expect(resolveService({ service: 'cart', namespace: 'staging' }, catalogue)).toBeUndefined();
  });

  it('matches a deployment name that differs from the service name', () => {
    const renamed = { ...catalogue, services: { ...catalogue.services, orders: { ...catalogue.services['order-service']!, name: 'orders', deployment: 'orders-api' } } };
    expect(resolveService({ deployment: 'orders-api' }, renamed)).toBe('orders');
  });
});

describe('severityFromLabel', () => {
  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['ERROR', 'critical'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['none', 'info'],
    [undefined, 'info'],
    // The spellings of other tools and habits (issue 13): these all used to read as info.
    ['high', 'critical'],
    ['P1', 'critical'],
    ['sev1', 'critical'],
    ['SEV-1', 'critical'],
    ['major', 'critical'],
    ['emergency', 'critical'],
    ['fatal', 'critical'],
    ['medium', 'warning'],
    ['p2', 'warning'],
    ['P3', 'warning'],
    ['sev_2', 'warning'],
    ['minor', 'warning'],
    ['low', 'info'],
    ['p4', 'info'],
    ['P5', 'info'],
    ['something-else', 'info'],
  ] as const)('reads %s as %s', (label, severity) => {
    expect(severityFromLabel(label)).toBe(severity);
  });

  it("takes the catalogue's spellings first, in a delivery as in a direct call", () => {
    const severities = { critical: ['blocker'], warning: ['High'], info: [] };
    expect(severityFromLabel('BLOCKER', severities)).toBe('critical');
    expect(severityFromLabel('high', severities)).toBe('warning');
    expect(severityFromLabel('p1', severities)).toBe('critical');
    const configured = { ...catalogue, alerting: { ...catalogue.alerting, severities } };
    const body = { version: '4', groupKey: '{}:{}', status: 'firing', receiver: 'aiops', alerts: ['high', 'P1', 'blocker', 'p3'].map((severity, index) => ({ status: 'firing', labels: { alertname: `A${index}`, severity }, startsAt: '2024-05-14T10:00:00Z' })) };
    expect(parseAlertmanagerWebhook(body, configured, 0).map((alert) => alert.severity)).toEqual(['warning', 'critical', 'critical', 'warning']);
    expect(parseAlertmanagerWebhook(body, catalogue, 0).map((alert) => alert.severity)).toEqual(['critical', 'critical', 'info', 'warning']);
  });
});
