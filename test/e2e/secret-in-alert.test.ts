import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand } from '../fakes/slack-signer.js';
import { RESPONSE_URL_CALL, startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * A secret pasted into an alert's annotations never reaches Slack, through the real bot: its
 * incident message (cut to fit), the thread, and `/aiops incidents` answered on the response URL.
 * The bot's own Slack clients all send through the redacting fetch.
 */

const SIGNING_SECRET = 'secret-alert-signing-secret';
/** Fake secrets. The AWS key sits where a summary is cut, so a cut before redaction would leave part of it. */
const AWS_SECRET = 'Zq8RkT3mWv9LpX2nB7cY4hJ6dF1sG5aE0uK3oI8r';
const DATABASE_PASSWORD = 'Pg-v3ry-s3cret-9Xq2';
const SLACK_WEBHOOK_PATH = 'T0SHOP123/B0ALERTS45/a8Kq2Lz9Wm4Xr7Tn1Pv6Yc3B';
const SECRETS = [AWS_SECRET, DATABASE_PASSWORD, SLACK_WEBHOOK_PATH];

const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

async function clearBotKeys(): Promise<void> {
  const keys = await redis.keys('aiops:*');
  if (keys.length > 0) await redis.del(...keys);
}

beforeAll(async () => {
  await clearBotKeys();
  slack = await startFakeSlack();
  port = await freePort();
  ({ stop, exited } = await startInProcessBot({ slackApiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: SIGNING_SECRET, port, redisUrl: REDIS_URL }));
}, 30_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  await clearBotKeys();
  await redis.quit();
});

describe('a secret in an alert annotation', () => {
  it('is absent from every Slack call the bot makes about the alert, whole or cut', async () => {
    const padding = 'payment cannot reach its database after the credentials rotation; retries are failing for every checkout request';
    const alert = {
      status: 'firing',
      labels: { alertname: 'DatabaseUnreachable', namespace: 'shop', service: 'payment', severity: 'critical' },
      annotations: {
        summary: `${padding} (aws secret ${AWS_SECRET}, DATABASE_URL=postgres://payment:${DATABASE_PASSWORD}@payment-db:5432/payment)`,
        description: `Notify https://hooks.slack.com/services/${SLACK_WEBHOOK_PATH} when fixed.`,
      },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: 'f0000000000005e1',
    };
    expect((await postAlertmanagerWebhook(port, [alert])).status).toBe(200);
    await until(() => slack.calls('chat.postMessage').some((call) => /INC-\d+/.test(String(call.body.text))), 'the incident message');

    // Asked twice: answered ephemerally, then (the ephemeral refused) on the response URL.
    const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    const responseUrl = slack.responseUrl({ channel: 'C0OPS' });
    await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'incidents', userId: 'U0DAVE', channelId: 'C0OPS', responseUrl });
    await until(() => slack.calls('chat.postEphemeral').some((call) => /payment/.test(JSON.stringify(call.body))), 'the ephemeral answer to /aiops incidents');
    slack.failNext('chat.postEphemeral', { error: 'channel_not_found' });
    await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'incidents', userId: 'U0DAVE', channelId: 'C0OPS', responseUrl });
    await until(() => slack.calls(RESPONSE_URL_CALL).length > 0, 'the answer to /aiops incidents on the response URL');

    const sent = JSON.stringify(slack.calls().map((call) => call.body));
    for (const secret of SECRETS) {
      expect(sent).not.toContain(secret);
      expect(sent).not.toContain(secret.slice(0, 8));
    }
    expect(sent).toContain('payment');
    expect(sent).toContain('[REDACTED]');
  });
});
