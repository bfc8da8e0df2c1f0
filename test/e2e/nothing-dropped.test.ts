import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { WEBHOOK_AUTHORIZATION } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * Nothing dropped (issue 13, points 2 and 6), end to end through `aiops start` with the example
 * catalogue and a fake Slack: an alert naming no catalogued service reaches the catch-all channel,
 * and an alert that arrives during a silence is raised when the silence ends, its message saying
 * from when to when it was held. The simulated clock runs at 360x, so `/aiops silence … 1h` lasts 10 s.
 */

const SIGNING_SECRET = 'nothing-dropped-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;
let bot: InProcessBot;

/** One Alertmanager notification: one group (by `groupLabels`), its alerts. */
async function notify(groupLabels: Record<string, string>, alerts: Array<Record<string, unknown>>): Promise<void> {
  const groupKey = `{}:{${Object.entries(groupLabels).map(([name, value]) => `${name}="${value}"`).join(',')}}`;
  const body = { version: '4', groupKey, status: 'firing', receiver: 'aiops', groupLabels, commonLabels: groupLabels, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts };
  const deliver = () => fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', ...WEBHOOK_AUTHORIZATION }, body: JSON.stringify(body) });
  // As Alertmanager does, a 503 (not stored within its deadline: under CI's load the bot's first seconds are slow) is sent again.
  let response = await deliver();
  for (let retry = 0; response.status === 503 && retry < 10; retry += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    response = await deliver();
  }
  expect(response.status).toBe(200);
}

function alert(labels: Record<string, string>, fingerprint: string, summary: string): Record<string, unknown> {
  return { status: 'firing', labels, annotations: { summary }, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: '0001-01-01T00:00:00Z', fingerprint };
}

const texts = () => [...slack.calls('chat.postMessage'), ...slack.calls('chat.update')].map((call) => `${String(call.body.text)} ${JSON.stringify(call.body.blocks ?? [])}`);

beforeAll(async () => {
  slack = await startFakeSlack();
  port = await freePort();
  bot = await startInProcessBot({ slackApiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: SIGNING_SECRET, port, redisUrl: REDIS_URL, environment: { AIOPS_SIM_SPEED: '360' } });
});

afterAll(async () => {
  bot?.stop('SIGTERM');
  await bot?.exited;
  await slack?.close();
  await redis.quit();
});

describe('nothing dropped', () => {
  it('posts an alert naming no catalogued service to the catch-all channel', async () => {
    await notify({ alertname: 'ProbeFailed', instance: 'https://status.example.com' }, [alert({ alertname: 'ProbeFailed', instance: 'https://status.example.com', severity: 'critical' }, 'a000000000000001', 'status page probe failing')]);
    await until(() => slack.messages('#ops-alerts').some((message) => message.threadTs === undefined && /INC-\d+/.test(message.text)), 'the incident in #ops-alerts', 15_000);
  }, 30_000);

  it('raises an alert that arrived during a silence once the silence ends, saying from when to when it was held', async () => {
    await notify({ service: 'payment' }, [alert({ alertname: 'HighErrorRate', namespace: 'shop', service: 'payment', severity: 'critical' }, 'a000000000000011', 'payment failing 9% of requests')]);
    // The simulated shop runs too, so its detectors may have opened an incident this alert joins: whichever holds it is silenced.
    const holding = () => slack.messages().find((message) => message.threadTs === undefined && message.text.includes('payment failing 9% of requests'));
    await until(() => holding() !== undefined, 'the payment incident', 15_000);
    const root = holding()!;
    const incidentId = /INC-\d+/.exec(root.text)![0];

    // U0SRE is a responder (S0SHOPSRE in the example catalogue); a silence needs a reason, and is announced.
    const command = { text: `silence ${incidentId} 1h failover drill`, userId: 'U0SRE', channelId: root.channel, responseUrl: slack.responseUrl({ channel: root.channel }) };
    expect((await sendCommand(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, command)).status).toBe(200);
    await until(() => slack.calls('chat.postEphemeral').some((call) => /^Silenced .*\bpayment\b.* for 1h/.test(String(call.body.text))), 'the silence confirmed', 10_000);
    expect(slack.messages(root.channel).some((message) => message.text.includes('silenced') && message.text.includes('failover drill'))).toBe(true);

    // During the silence: accepted, and not shown anywhere.
    await notify({ service: 'payment' }, [alert({ alertname: 'HighLatency', namespace: 'shop', service: 'payment', severity: 'warning' }, 'a000000000000012', 'payment p95 latency 2.3 s')]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(texts().some((text) => text.includes('p95 latency 2.3 s'))).toBe(false);

    // After it (10 s of real time, then the next release pass): raised, and the message says it was held.
    await until(() => texts().some((text) => text.includes('Held back from') && text.includes('p95 latency 2.3 s')), 'the held alert raised after the silence', 30_000);
  }, 60_000);
});
