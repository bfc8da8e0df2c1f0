import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { INCIDENT_EVENT_TYPE } from '../../src/slack/find-incident-root.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { WEBHOOK_AUTHORIZATION } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * Redis going away under the running bot (`aiops start` in this process, the fake Slack, a
 * redis-server of the test's own that it kills, pauses and starts again). The webhook must answer
 * within seconds, never 200 for alerts it did not store, /readyz must say Redis is gone while
 * /healthz keeps answering, and once Redis is back whatever Alertmanager re-sent reaches Slack
 * exactly once. The Redis keeps its data across the kill (an append-only file fsynced before each
 * reply), as a Redis on a persistent volume does: what was acknowledged was stored.
 */

const SIGNING_SECRET = 'redis-outage-signing-secret';
/** What "within a few seconds" means here: the webhook's own deadline is 5 s. */
const ANSWER_WITHIN_MILLISECONDS = 6_500;
let server: RedisServer;
let admin: Redis;
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

beforeAll(async () => {
  server = await startRedisServer({ persistent: true });
  admin = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => undefined);
  slack = await startFakeSlack();
  port = await freePort();
  ({ stop, exited } = await startInProcessBot({ slackApiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: SIGNING_SECRET, port, redisUrl: server.url }));
}, 30_000);

afterAll(async () => {
  // A test that failed mid-outage leaves Redis down or paused: the bot stops cleanly only with it back.
  server?.resume();
  if (server && !(await admin.ping().then(() => true, () => false))) await server.start();
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  admin?.disconnect();
  await server?.stop();
}, 30_000);

interface Delivery {
  status: number;
  startedAt: number;
  answeredAt: number;
}

/** One POST as Alertmanager makes it; no answer within 15 s counts as status 0. */
async function post(body: string): Promise<Delivery> {
  const startedAt = Date.now();
  const status = await fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', ...WEBHOOK_AUTHORIZATION }, body, signal: AbortSignal.timeout(15_000) }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status;
    },
    () => 0,
  );
  return { status, startedAt, answeredAt: Date.now() };
}

const probe = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

function alert(service: string, name: string, pod: string, startsAt: string): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: name, service, namespace: 'shop', pod: `${service}-${pod}`, severity: 'critical' },
    annotations: { summary: `${name} on ${service}-${pod}` },
    startsAt,
    endsAt: '0001-01-01T00:00:00Z',
  };
}

function notification(service: string, alerts: Array<Record<string, unknown>>): string {
  return JSON.stringify({ version: '4', groupKey: `{}:{service="${service}"}`, status: 'firing', receiver: 'aiops', groupLabels: { service }, commonLabels: { service }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts });
}

describe('the webhook while Redis is gone', () => {
  it('answers 503 within seconds, never 200, while Redis is down or hung; /readyz says so and /healthz stays ok', async () => {
    const body = notification('cart', [alert('cart', 'HighErrorRate', 'probe', new Date(Date.now() - 60_000).toISOString())]);
    expect(await probe('/readyz')).toMatchObject({ status: 200, body: { status: 'ready', redis: { ok: true }, slack: { ok: true } } });

    await server.kill();
    const whileDown = await post(body);
    expect(whileDown.status).toBe(503);
    expect(whileDown.answeredAt - whileDown.startedAt).toBeLessThan(ANSWER_WITHIN_MILLISECONDS);
    // A short state, not the connection error: that names hosts and ports, and stays in the log.
    expect(await probe('/readyz')).toMatchObject({ status: 503, body: { status: 'not ready', redis: { ok: false, detail: 'not reachable' } } });
    expect((await probe('/healthz')).status).toBe(200);

    // Back, then hung: the connections stay open and nothing answers.
    await server.start();
    await until(async () => (await probe('/readyz')).status === 200, '/readyz ready again', 15_000);
    server.pause();
    try {
      const whileHung = await post(body);
      expect(whileHung.status).toBe(503);
      expect(whileHung.answeredAt - whileHung.startedAt).toBeLessThan(ANSWER_WITHIN_MILLISECONDS);
      expect(await probe('/readyz')).toMatchObject({ status: 503, body: { redis: { ok: false } } });
      expect((await probe('/healthz')).status).toBe(200);
    } finally {
      server.resume();
    }
    await until(async () => (await post(body)).status === 200, 'the webhook taking alerts again', 15_000);
    await until(() => slack.messages().some((message) => message.threadTs === undefined && /HighErrorRate on cart-probe/.test(message.text)), 'the alert in Slack');
  }, 60_000);
});

/** Independent corners of the simulated shop's call graph: none calls another. */
const SERVICES = ['payment', 'user', 'shipping', 'catalogue'];
const ALERT_NAMES = ['HighLatency', 'PodRestarts', 'CPUSaturation'];
const PODS = ['a', 'b', 'c'];

describe('an alert storm across a Redis outage', () => {
  it('gives no 200 for an alert it did not store, and once Redis is back shows everything re-sent exactly once in Slack', async () => {
    const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const summaries: string[] = [];
    const bodies: string[] = [];
    for (const service of SERVICES) {
      for (const name of ALERT_NAMES) {
        for (const pod of PODS) {
          const firing = alert(service, name, pod, startsAt);
          summaries.push(String((firing.annotations as { summary: string }).summary));
          // Every notification twice, as an Alertmanager HA pair sends it.
          bodies.push(notification(service, [firing]), notification(service, [firing]));
        }
      }
    }
    // A fixed shuffle (multiplicative stride), so the test is the same every run.
    const storm = bodies.map((_, index) => bodies[(index * 29) % bodies.length]!);

    // Alertmanager's side: four deliveries at a time, each retried until it gets a 200.
    const deliveries: Delivery[] = [];
    let next = 0;
    const sender = async () => {
      while (next < storm.length) {
        const body = storm[next++]!;
        for (;;) {
          const delivery = await post(body);
          deliveries.push(delivery);
          if (delivery.status === 200) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    };
    const senders = Promise.all(Array.from({ length: 4 }, sender));

    // Mid-storm, Redis dies; it comes back after longer than the webhook may take to answer.
    await until(() => deliveries.filter((delivery) => delivery.status === 200).length >= storm.length / 4, 'a quarter of the storm stored', 20_000);
    await server.kill();
    const down = { from: Date.now(), to: 0 };
    await new Promise((resolve) => setTimeout(resolve, ANSWER_WITHIN_MILLISECONDS + 1_500));
    down.to = Date.now();
    await server.start();
    await senders;

    // Answered within seconds, and none of those asked and answered while Redis was down was a 200.
    expect(deliveries.filter((delivery) => delivery.status === 0)).toEqual([]);
    expect(Math.max(...deliveries.map((delivery) => delivery.answeredAt - delivery.startedAt))).toBeLessThan(ANSWER_WITHIN_MILLISECONDS);
    const duringOutage = deliveries.filter((delivery) => delivery.startedAt >= down.from && delivery.answeredAt <= down.to);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.filter((delivery) => delivery.status === 200)).toEqual([]);

    // Everything acknowledged is stored: the storm's alerts, one incident per service.
    const stored = Object.values(await admin.hgetall('aiops:incidents')).map((body) => JSON.parse(body) as { id: string; services: string[]; alerts: Record<string, { summary: string }> });
    const incidents = stored.filter((incident) => SERVICES.some((service) => incident.services.includes(service)));
    expect(incidents.map((incident) => incident.services.join(',')).sort()).toEqual([...SERVICES].sort());
    const storedSummaries = incidents.flatMap((incident) => Object.values(incident.alerts).map((stormAlert) => stormAlert.summary));
    expect(storedSummaries).toHaveLength(summaries.length);
    for (const summary of summaries) expect(storedSummaries.filter((stored) => stored.includes(summary)), summary).toHaveLength(1);

    // And in Slack exactly once: one root message per incident naming each of its alerts once, and no alert told twice in a thread.
    await until(async () => (await admin.zcard('aiops:slack:outbox')) === 0, 'the outbox drained', 30_000);
    const roots = slack.messages().filter((message) => message.threadTs === undefined && (message.metadata as { event_type?: string } | undefined)?.event_type === INCIDENT_EVENT_TYPE);
    const stormRoots = roots.filter((root) => summaries.some((summary) => root.text.includes(summary)));
    expect(stormRoots.map((root) => (root.metadata as { event_payload: { incident_id: string } }).event_payload.incident_id).sort()).toEqual(incidents.map((incident) => incident.id).sort());
    for (const summary of summaries) {
      expect(stormRoots.filter((root) => root.text.includes(summary)), summary).toHaveLength(1);
      expect(stormRoots.find((root) => root.text.includes(summary))!.text.split(summary).length - 1, summary).toBe(1);
    }
    const replies = stormRoots.flatMap((root) => slack.thread(root.channel, root.ts).slice(1));
    for (const summary of summaries) expect(replies.filter((reply) => reply.text.includes(summary)).length, summary).toBeLessThanOrEqual(1);
  }, 120_000);
});
