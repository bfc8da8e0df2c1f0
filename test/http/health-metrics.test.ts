import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { metricType, parseExposition, sampleValue } from '../support/exposition.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { skipWithout } from '../support/requirements.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * `GET /metrics` on the running bot (`aiops start` in HTTP mode against the fake Slack, real Redis,
 * the simulated world at an hour a minute so the workers run jobs every second), over real HTTP:
 * Prometheus's text format, process metrics, and the domain's counters moving as the bot works.
 */

const SIGNING_SECRET = 'metrics-signing-secret';
const TOKEN = 'metrics-webhook-token-0123';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

beforeAll(async () => {
  slack = await startFakeSlack();
  port = await freePort();
  ({ stop, exited } = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    environment: { ALERTMANAGER_WEBHOOK_TOKEN: TOKEN, AIOPS_SIM_SPEED: '60', AIOPS_SIM_START: '2026-11-24T14:55:00Z' },
  }));
}, 30_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  redis.disconnect();
});

async function scrape(): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

function webhook(alerts: Array<Record<string, unknown>>, token: string | undefined = TOKEN, body?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ?? JSON.stringify({ version: '4', groupKey: '{}:{alertname="HighLatency"}', status: 'firing', receiver: 'aiops', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts }),
  });
}

function firing(service: string, fingerprint: string): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'HighLatency', namespace: 'shop', service, severity: 'warning' },
    annotations: { summary: `${service} p95 latency above 1 s` },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint,
  };
}

describe('GET /metrics', () => {
  it('answers 200 in the text exposition format, with process metrics', async () => {
    const { status, contentType, text } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(() => parseExposition(text)).not.toThrow();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(sampleValue(text, name), name).toEqual(expect.any(Number));
    }
  });

  it('counts Alertmanager deliveries by outcome and the incidents they open', async () => {
    expect((await webhook([firing('database', 'dddd000000000001'), firing('order-service', 'dddd000000000002')])).status).toBe(200);
    expect((await webhook([firing('cart', 'dddd000000000003')], 'not-the-webhook-token-at-all')).status).toBe(401);
    expect((await webhook([], TOKEN, '{not json')).status).toBe(400);

    const { text } = await scrape();
    expect(metricType(text, 'aiops_alertmanager_webhook_deliveries_total')).toBe('counter');
    expect(sampleValue(text, 'aiops_alertmanager_webhook_deliveries_total', { outcome: 'accepted' })).toBe(1);
    expect(sampleValue(text, 'aiops_alertmanager_webhook_deliveries_total', { outcome: 'unauthorized' })).toBe(1);
    expect(sampleValue(text, 'aiops_alertmanager_webhook_deliveries_total', { outcome: 'invalid' })).toBe(1);
    expect(sampleValue(text, 'aiops_alertmanager_alerts_received_total', { status: 'firing' })).toBe(2);
    // The two neighbours are one incident.
    expect(metricType(text, 'aiops_incidents_open')).toBe('gauge');
    expect(sampleValue(text, 'aiops_incidents_open', { severity: 'warning' })).toBe(1);
    expect(sampleValue(text, 'aiops_incidents_open', { severity: 'critical' })).toBe(0);
  });

  it('counts answered questions by path with their latency, and the Slack calls that carried them', async () => {
    const ts = '1764000100.000100';
    await sendEvent(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, { type: 'app_mention', user: 'U0ALICE', text: '<@U0AIOPSBOT> why is order-service slow?', channel: 'C0METRICS', ts, event_ts: ts });
    await until(async () => (sampleValue((await scrape()).text, 'aiops_questions_answered_total', { path: 'engine' }) ?? 0) >= 1, 'the answer to be counted', 20_000);
    await until(() => (slack.thread('C0METRICS', ts)[0]?.updateCount ?? 0) > 0, 'the answer in the thread', 5_000);

    const { text } = await scrape();
    expect(metricType(text, 'aiops_question_duration_seconds')).toBe('histogram');
    expect(sampleValue(text, 'aiops_question_duration_seconds_count', { path: 'engine' })).toBe(1);
    expect(sampleValue(text, 'aiops_question_duration_seconds_sum', { path: 'engine' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'aiops_questions_answered_total', { path: 'agent' })).toBeUndefined();
    expect(sampleValue(text, 'aiops_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'aiops_slack_api_calls_total', { method: 'auth.test', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('counts job runs by queue and outcome, with their duration', async () => {
    await until(async () => (sampleValue((await scrape()).text, 'aiops_job_runs_total', { queue: 'aiops-detection', outcome: 'completed' }) ?? 0) >= 1, 'a detection job', 20_000);
    const { text } = await scrape();
    expect(metricType(text, 'aiops_job_runs_total')).toBe('counter');
    expect(sampleValue(text, 'aiops_job_duration_seconds_count', { queue: 'aiops-detection' })).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it.skipIf(skipWithout('prometheus', 'promtool check metrics on /metrics'))('passes promtool check metrics (problems only in prom-client\'s own nodejs_ names)', async () => {
    const { text } = await scrape();
    let output = '';
    try {
      execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    }
    expect(output).not.toMatch(/error while linting|parsing error/);
    const problems = output.split('\n').filter(Boolean);
    for (const problem of problems) expect(problem).toMatch(/^nodejs_/);
  });
});
