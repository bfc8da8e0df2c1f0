import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * A resolve whose delivery fails half-way must not leave Slack saying Critical. The bot (`aiops
 * start` in this process, the fake Slack) reaches a redis-server of the test's own as a user whose
 * rights the test takes away and gives back: while the outbox's writes (RPUSH, EVAL) are refused,
 * Alertmanager's resolve gets a 503; it retries once they are allowed again, and the incident's
 * message must then say Resolved, with one note in its thread.
 */

const SIGNING_SECRET = 'stranded-resolve-signing-secret';
let server: RedisServer;
let admin: Redis;
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
  await admin.call('ACL', 'SETUSER', 'bot', 'on', '>bot-secret', '~*', '&*', '+@all');
  slack = await startFakeSlack();
  port = await freePort();
  const redisUrl = `redis://bot:bot-secret@127.0.0.1:${server.port}`;
  ({ stop, exited } = await startInProcessBot({ slackApiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: SIGNING_SECRET, port, redisUrl }));
}, 30_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  admin?.disconnect();
  await server?.stop();
});

function alert(status: 'firing' | 'resolved', startsAt: number): Record<string, unknown> {
  return {
    status,
    labels: { alertname: 'HighErrorRate', namespace: 'shop', service: 'shipping', severity: 'critical' },
    annotations: { summary: 'shipping is failing requests' },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
    fingerprint: 'f0000000000000e4',
  };
}

/** Delivers as Alertmanager does: a 503 (Redis slow to store it, on a loaded machine) is sent again. */
async function deliverUntilAccepted(alerts: Array<Record<string, unknown>>): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 5 && status !== 200; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    status = (await postAlertmanagerWebhook(port, alerts)).status;
  }
  return status;
}

describe('a resolve whose delivery failed half-way', () => {
  it('is shown in Slack once Alertmanager retries it', async () => {
    const startsAt = Date.now() - 120_000;
    expect(await deliverUntilAccepted([alert('firing', startsAt)])).toBe(200);
    const roots = () => slack.messages().filter((message) => message.threadTs === undefined && /INC-\d+ on shipping/.test(message.text));
    await until(() => roots().length === 1, 'the root message');
    expect(roots()[0]!.text).toMatch(/^Critical INC-/);
    await until(async () => (await admin.zcard('aiops:slack:outbox')) === 0, 'the outbox drained');

    // The write marking the change for Slack is refused: the delivery fails, and Alertmanager retries it later.
    await admin.call('ACL', 'SETUSER', 'bot', '-rpush', '-eval', '-evalsha');
    expect((await postAlertmanagerWebhook(port, [alert('resolved', startsAt)])).status).toBe(503);
    await admin.call('ACL', 'SETUSER', 'bot', '+@all');
    expect(await deliverUntilAccepted([alert('resolved', startsAt)])).toBe(200);

    // The sweep runs every 10 s: waiting a little longer than that, a repair by sweep counts too.
    await until(() => /^Resolved INC-/.test(roots()[0]?.text ?? ''), 'the root message saying Resolved', 15_000);
    const [root] = roots();
    expect(roots()).toHaveLength(1);
    await until(() => slack.thread(root!.channel, root!.ts).some((reply) => /Resolved/.test(reply.text)), 'the resolution in the thread');
    expect(slack.thread(root!.channel, root!.ts).filter((reply) => /Resolved/.test(reply.text))).toHaveLength(1);
  }, 40_000);
});
