import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionPayload, sendBlockAction } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { until } from '../support/until.js';
import { testRedis } from '../support/test-redis.js';

/**
 * Incidents in Slack, end to end: Alertmanager webhooks into `aiops start`, one root message per
 * incident in the origin service's channel, edited in place, notes in its thread, and the same
 * message kept across a restart of the bot.
 */

const SIGNING_SECRET = 'incident-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;

function startBot(): Promise<InProcessBot> {
  return startInProcessBot({ slackApiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: SIGNING_SECRET, port, redisUrl: REDIS_URL });
}

function alert(service: string, fingerprint: string, status: 'firing' | 'resolved' = 'firing'): Record<string, unknown> {
  return {
    status,
    labels: { alertname: 'HighErrorRate', namespace: 'shop', service, severity: 'critical' },
    annotations: { summary: `${service} is failing requests` },
    startsAt: new Date(Date.now() - 120_000).toISOString(),
    endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint,
  };
}

async function webhook(alerts: Array<Record<string, unknown>>): Promise<void> {
  expect((await postAlertmanagerWebhook(port, alerts)).status).toBe(200);
}

const roots = () => slack.calls('chat.postMessage').filter((call) => call.body.thread_ts === undefined && String(call.body.text).includes('INC-'));

beforeAll(async () => {
  await redis.flushdb();
  slack = await startFakeSlack();
  port = await freePort();
});

afterAll(async () => {
  await slack?.close();
  await redis.flushdb();
  await redis.quit();
});

describe('incident messages', () => {
  it('keeps one message per incident, edited in place with thread notes, across a restart of the bot', async () => {
    let bot = await startBot();
    await webhook([alert('database', 'f000000000000001')]);
    await until(() => roots().length === 1, 'the root message');
    const [root] = roots();
    expect(root!.body.channel).toBe('#shop-platform');
    const ts = String(root!.response && (root!.response as { ts: string }).ts);
    expect(String(root!.body.text)).toMatch(/INC-\d+ on database/);

    // A neighbour in the call graph joins the same incident: the message is edited, the thread told.
    await webhook([alert('order-service', 'f000000000000002')]);
    await until(() => slack.calls('chat.postMessage').some((call) => call.body.thread_ts === ts && /Joined/.test(String(call.body.text))), 'the joined note');
    expect(slack.calls('chat.update').some((call) => call.body.ts === ts && /2 alerts firing/.test(String(call.body.text)))).toBe(true);

    // The bot restarts: the incident keeps its message.
    bot.stop('SIGTERM');
    expect(await bot.exited).toBe(0);
    bot = await startBot();
    await webhook([alert('database', 'f000000000000001', 'resolved'), alert('order-service', 'f000000000000002', 'resolved')]);
    await until(() => slack.calls('chat.postMessage').some((call) => call.body.thread_ts === ts && /Resolved after/.test(String(call.body.text))), 'the resolution note');
    expect(roots()).toHaveLength(1);
    expect(slack.calls('chat.update').some((call) => call.body.ts === ts && /^Resolved INC-/.test(String(call.body.text)))).toBe(true);
    bot.stop('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 60_000);

  it('posts an incident that arrived during a Slack outage once Slack is back, even across a restart of the bot', async () => {
    slack.failNext('chat.postMessage', { status: 503, times: 3 });
    let bot = await startBot();
    const failedBefore = () => slack.calls('chat.postMessage').filter((call) => call.status === 503).length;
    await webhook([alert('user', 'f000000000000021')]);
    await until(() => failedBefore() >= 1, 'a failed post');
    bot.stop('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(roots().filter((call) => /on user/.test(String(call.body.text)) && call.status === 200)).toHaveLength(0);

    bot = await startBot();
    try {
      await until(() => roots().some((call) => /on user/.test(String(call.body.text)) && call.status === 200), 'the user incident after the outage', 20_000);
      // A moment more, in case a second root were on its way.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(slack.messages('#shop-identity').filter((message) => message.threadTs === undefined && /on user/.test(message.text))).toHaveLength(1);
    } finally {
      bot.stop('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
  }, 40_000);

  it('records who acknowledged an incident, once, and shows it on the message', async () => {
    const bot = await startBot();
    try {
      await webhook([alert('payment', 'f000000000000011')]);
      await until(() => roots().some((call) => /on payment/.test(String(call.body.text))), 'the payment incident');
      const root = roots().find((call) => /on payment/.test(String(call.body.text)))!;
      const ts = (root.response as { ts: string }).ts;
      const incidentId = /INC-\d+/.exec(String(root.body.text))![0];
      const click = blockActionPayload({ actionId: 'aiops_incident_acknowledge', value: incidentId, userId: 'U0CAROL', channelId: '#shop-payments', messageTs: ts, responseUrl: slack.responseUrl({ channel: '#shop-payments' }) });
      expect((await sendBlockAction(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, click)).status).toBe(200);
      await until(() => slack.calls('chat.update').some((call) => call.body.ts === ts && JSON.stringify(call.body.blocks).includes('Acknowledged by <@U0CAROL>')), 'the acknowledged message');
      expect(await redis.xlen('aiops:audit')).toBeGreaterThan(0);
    } finally {
      bot.stop('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
  }, 30_000);
});
