import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { Catalogue } from '../../src/catalogue.js';
import { alertmanagerWebhook, type AlertmanagerWebhookOptions } from '../../src/http/alertmanager-webhook.js';
import { startHealthServer, type RunningServer } from '../../src/http/health-server.js';
import { createLogger } from '../../src/logger.js';
import { catalogue } from '../alerts/builders.js';

/**
 * The webhook's limits and failures, over real HTTP with the store replaced: what a big storm's
 * notification, an oversized body, an unexpected failure and a store that does not answer get,
 * and the one log line each failure leaves.
 */

let server: RunningServer | undefined;
let logLines: string[];

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Opened to anyone unless `options` say otherwise: access has tests of its own (alertmanager-webhook-access.test.ts); here, the limits. */
async function serve(options: Partial<AlertmanagerWebhookOptions> & Pick<AlertmanagerWebhookOptions, 'ingest'>): Promise<string> {
  logLines = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n').filter(Boolean)));
  const listener = alertmanagerWebhook({ catalogue, now: () => Date.now(), logger: createLogger({ level: 'info', destination }), allowUnauthenticated: true, ...options });
  server = await startHealthServer({ port: 0, host: '127.0.0.1', status: () => ({}), routes: [{ pathPrefix: '/webhooks/alertmanager', listener }] });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/webhooks/alertmanager`;
}

/** One alert as kube-prometheus-stack sends it: about 1.1 kB with its labels, runbook and generator URL. */
function kubePrometheusAlert(index: number): Record<string, unknown> {
  const pod = `checkout-7d9f8b6c5-${index.toString(36).padStart(5, 'x')}`;
  return {
    status: 'firing',
    labels: {
      alertname: 'KubePodCrashLooping',
      container: 'checkout',
      endpoint: 'http',
      instance: `10.42.${index % 250}.${index % 200}:8080`,
      job: 'kube-state-metrics',
      namespace: 'shop',
      pod,
      prometheus: 'monitoring/kube-prometheus-stack-prometheus',
      reason: 'CrashLoopBackOff',
      service: 'kube-prometheus-stack-kube-state-metrics',
      severity: 'warning',
      uid: `5f0c1a2b-3c4d-4e5f-8a9b-${index.toString(16).padStart(12, '0')}`,
    },
    annotations: {
      description: `Pod shop/${pod} (checkout) is in waiting state (reason: "CrashLoopBackOff") on cluster production-eu-west-1 for the last 15 minutes.`,
      runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
      summary: 'Pod is crash looping.',
    },
    startsAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL:
      'http://kube-prometheus-stack-prometheus.monitoring:9090/graph?g0.expr=max_over_time%28kube_pod_container_status_waiting_reason%7Bjob%3D%22kube-state-metrics%22%2Cnamespace%3D~%22.%2A%22%2Creason%3D%22CrashLoopBackOff%22%7D%5B5m%5D%29+%3E%3D+1&g0.tab=1',
    fingerprint: index.toString(16).padStart(16, '0'),
  };
}

function notification(alerts: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}/{severity="warning"}:{namespace="shop"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'aiops',
    groupLabels: { namespace: 'shop' },
    commonLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://kube-prometheus-stack-alertmanager.monitoring:9093',
    alerts,
    ...extra,
  });
}

describe('the Alertmanager webhook under load and failure', () => {
  it('takes a notification of 1,000 kube-prometheus alerts, over 1 MiB', async () => {
    const received: Alert[][] = [];
    const url = await serve({ ingest: async (alerts) => void received.push(alerts) });
    const body = notification(Array.from({ length: 1_000 }, (_, index) => kubePrometheusAlert(index)));
    expect(body.length).toBeGreaterThan(1024 * 1024);

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { accepted: 1_000 } });
    expect(received.map((alerts) => alerts.length)).toEqual([1_000]);
  });

  it('refuses a body over 32 MiB with a 413 the client reads, declared or streamed, and logs one line each', async () => {
    const ingested: Alert[][] = [];
    const url = await serve({ ingest: async (alerts) => void ingested.push(alerts) });
    const oversized = notification([kubePrometheusAlert(1)], { padding: 'x'.repeat(33 * 1024 * 1024) });

    // Declared: Content-Length says it all before a byte of the body is read.
    const declared = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: oversized });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/at most 33554432 bytes/);

    // Streamed (chunked, no length): found out after 32 MiB, while the client is still sending.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      const chunk = Buffer.from(oversized.slice(0, 1024 * 1024));
      let sent = 0;
      const send = (): void => {
        while (sent < 34) {
          sent += 1;
          if (!request.write(chunk)) return void request.once('drain', send);
        }
        request.end();
      };
      send();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.body).toMatch(/max_alerts/);

    expect(ingested).toEqual([]);
    const refusals = logLines.filter((line) => line.includes('413'));
    expect(refusals).toHaveLength(2);
    expect(JSON.parse(refusals[0]!)).toMatchObject({ level: 40, limit: 33_554_432, msg: expect.stringMatching(/refused \(413\).*max_alerts/) });
  });

  it('answers 500 with a short body, and logs it, when reading a payload fails unexpectedly', async () => {
    const broken = new Proxy(catalogue, {
      get(target, property, receiver) {
        if (property === 'services') throw new TypeError('catalogue exploded');
        return Reflect.get(target, property, receiver) as unknown;
      },
    }) as Catalogue;
    const url = await serve({ catalogue: broken, ingest: async () => undefined });

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: notification([kubePrometheusAlert(1)]), signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text.length).toBeLessThan(100);
    expect(text).not.toContain('exploded');
    expect(logLines.filter((line) => line.includes('catalogue exploded'))).toHaveLength(1);
  });

  it('answers 503 within its deadline, never 200, when the alerts are not stored in time', async () => {
    const url = await serve({ ingest: () => new Promise(() => undefined), storeDeadlineMilliseconds: 300 });

    const started = Date.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: notification([kubePrometheusAlert(1)]), signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(logLines.filter((line) => line.includes('503'))).toHaveLength(1);
  });

  it("takes an alert naming a detector's fingerprint by its labels instead, and logs it once", async () => {
    const received: Alert[][] = [];
    const url = await serve({ ingest: async (alerts) => void received.push(alerts) });
    const forged = { ...kubePrometheusAlert(1), status: 'resolved', endsAt: new Date().toISOString(), fingerprint: 'detector/anomaly/payment/error_rate' };

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: notification([forged, forged], { status: 'resolved' }) });
    expect(response.status).toBe(200);
    expect(received.flat().map((alert) => alert.fingerprint)).not.toContain('detector/anomaly/payment/error_rate');
    const warnings = logLines.filter((line) => line.includes("fingerprint of the bot's own detectors"));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, alerts: 2 });
  });

  it('answers 503 without the internal reason, which only the log keeps', async () => {
    const url = await serve({ ingest: () => Promise.reject(new Error('connect ECONNREFUSED 10.20.30.40:6379 (redis://:hunter2@redis.internal:6379)')) });

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: notification([kubePrometheusAlert(1)]), signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'could not store the alerts now; retry later' });
    for (const internal of ['ECONNREFUSED', '10.20.30.40', 'hunter2', 'redis.internal']) expect(text).not.toContain(internal);
    expect(logLines.filter((line) => line.includes('503') && line.includes('ECONNREFUSED 10.20.30.40'))).toHaveLength(1);
  });
});
