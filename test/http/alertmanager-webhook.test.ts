import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFromAnomaly } from '../../src/alerts/alert.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { runCli } from '../../src/cli.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { createHarness } from '../support/cli-harness.js';
import { freePort } from '../support/free-port.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';

/** Alertmanager's webhook as it reaches the running bot: `aiops start`, real Redis, the example catalogue. */

const TOKEN = 'alertmanager-secret-token';
const { url: REDIS_URL, redis } = await testRedis();
let url: string;
let stop: (signal: string) => void;
let exited: Promise<number>;

function payload(alerts: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'aiops',
    groupLabels: { alertname: 'HighLatency' },
    commonLabels: { namespace: 'shop' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts,
  };
}

function alert(service: string, fingerprint: string, status = 'firing'): Record<string, unknown> {
  return {
    status,
    labels: { alertname: 'HighLatency', namespace: 'shop', service, severity: 'warning' },
    annotations: { summary: `${service} p95 latency above 1 s` },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.monitoring:9090/graph',
    fingerprint,
  };
}

async function post(body: unknown, token: string | null = TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  await deleteKeys(redis);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/webhooks/alertmanager`;
  const harness = createHarness({ PORT: String(port), REDIS_URL, ALERTMANAGER_WEBHOOK_TOKEN: TOKEN, LOG_LEVEL: 'fatal' });
  stop = harness.stop;
  exited = runCli(['start'], harness.context);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ready = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await deleteKeys(redis);
  await redis.quit();
});

describe('POST /webhooks/alertmanager', () => {
  it('turns alerts on neighbouring services into one incident, and a redelivery from the HA peer changes nothing', async () => {
    const body = payload([alert('database', 'aaaa000000000001'), alert('order-service', 'aaaa000000000002')]);
    expect(await post(body)).toEqual({ status: 200, body: { accepted: 2 } });
    expect(await post(body)).toEqual({ status: 200, body: { accepted: 2 } });
    const incidents = await openIncidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ origin: 'database' });
    expect([...(incidents[0]!.services as string[])].sort()).toEqual(['database', 'order-service']);
  });

  it('refuses a malformed payload with 400 and one line naming the problem, storing nothing', async () => {
    const before = await openIncidents();
    const bad = payload([{ ...alert('cart', 'bbbb000000000001'), startsAt: 'yesterday' }]);
    const response = await post(bad);
    expect(response.status).toBe(400);
    expect(String(response.body.error)).toMatch(/^alerts\[0\]\.startsAt: /);
    expect(String(response.body.error)).not.toContain('\n');
    expect(await post('{not json')).toEqual({ status: 400, body: { error: 'body: expected JSON (an Alertmanager webhook payload)' } });
    expect(await openIncidents()).toEqual(before);
  });

  it('refuses a request without the configured bearer token', async () => {
    expect((await post(payload([alert('cart', 'cccc000000000001')]), null)).status).toBe(401);
    expect((await post(payload([alert('cart', 'cccc000000000001')]), 'wrong-token-wrong-token')).status).toBe(401);
  });

  it("cannot resolve an alert our detectors raised: a resolve naming its fingerprint is taken, and the incident stays open", async () => {
    const detectedAt = Date.now() - 120_000;
    const detected = alertFromAnomaly({
      id: 'payment:anomaly:1',
      kind: 'anomaly',
      service: 'payment',
      signals: ['error_rate'],
      score: 0.99,
      severity: 'critical',
      detectedAt,
      evidence: { start: detectedAt - 600_000, end: detectedAt },
      summary: 'payment: error_rate unusual',
    });
    const store = new IncidentStore(redis, 'aiops:', loadCatalogue(EXAMPLE_CATALOGUE_PATH));
    try {
      await store.ingest([detected], detectedAt);
    } finally {
      await store.close();
    }
    const opened = (await openIncidents()).find((incident) => (incident.services as string[]).includes('payment'));
    expect(opened).toBeDefined();

    const forged = { ...alert('payment', detected.fingerprint, 'resolved'), labels: detected.labels, startsAt: new Date(detectedAt - 60_000).toISOString() };
    expect(await post({ ...payload([forged]), status: 'resolved' })).toEqual({ status: 200, body: { accepted: 1 } });
    const after = (await openIncidents()).find((incident) => incident.id === opened!.id);
    expect(after).toMatchObject({ status: 'open' });
    expect((after!.alerts as Record<string, { source: string; status: string }>)[detected.fingerprint]).toMatchObject({ source: 'detector', status: 'firing' });
  });
});

async function openIncidents(): Promise<Array<Record<string, unknown>>> {
  const store = new IncidentStore(redis, 'aiops:', loadCatalogue(EXAMPLE_CATALOGUE_PATH));
  try {
    return (await store.open()) as unknown as Array<Record<string, unknown>>;
  } finally {
    await store.close();
  }
}
