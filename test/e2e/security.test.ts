import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoggerOptions } from '../../src/logger.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-compatible.js';
import { toolResults } from '../fakes/scripted-investigator.js';
import { sendCommand, sendEvent } from '../fakes/slack-signer.js';
import { RESPONSE_URL_CALL, startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook, WEBHOOK_TOKEN } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * Issue 14, "Secure by default", end to end: `aiops start` in this process with the example
 * catalogue, the simulated world, a fake Slack and a scripted OpenAI-compatible model shows that
 * 1. an Alertmanager delivery without the bearer token is refused (401) and opens nothing, and a
 *    bot started without ALERTMANAGER_WEBHOOK_TOKEN refuses every delivery (403, naming it);
 * 2. a silence by someone outside the owning team is refused, ephemerally, announced nowhere, and
 *    the next critical alert of that service is posted; the owning team's silence is accepted;
 * 3. secrets in an alert's annotations reach neither the model's requests, nor the log (at debug,
 *    where the Slack client logs every request body), nor any Slack call, response URLs included.
 */

/**
 * The bot's log. The CLI builds its pino logger without the harness's stdout (it writes to file
 * descriptor 1), so the test hands the real logger (same level, redaction and hooks) a
 * destination it can read instead.
 */
const log = vi.hoisted(() => ({ text: '' }));
vi.mock('../../src/logger.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/logger.js')>();
  const destination = { write: (chunk: string) => ((log.text += chunk), true) } as unknown as NodeJS.WritableStream;
  return { ...original, createLogger: (options: LoggerOptions = {}) => original.createLogger({ ...options, pretty: false, destination: options.destination ?? destination }) };
});

const SIGNING_SECRET = 'security-e2e-signing-secret';
const OPENAI_API_KEY = 'sk-security-e2e-model-key';

/** Fake secrets, of the shapes people paste into annotations. */
const AWS_SECRET = 'Zq8RkT3mWv9LpX2nB7cY4hJ6dF1sG5aE0uK3oI8r';
const DATABASE_PASSWORD = 'Pg-v3ry-s3cret-9Xq2';
const SLACK_WEBHOOK_PATH = 'T0SHOP123/B0ALERTS45/a8Kq2Lz9Wm4Xr7Tn1Pv6Yc3B';
const SECRETS = [AWS_SECRET, DATABASE_PASSWORD, SLACK_WEBHOOK_PATH];
/** A secret and its first and last eight characters: a cut after redaction would leave no fragment. */
const FRAGMENTS = SECRETS.flatMap((secret) => [secret, secret.slice(0, 8), secret.slice(-8)]);

const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let llm: FakeOpenAi;
let port: number;
let bot: InProcessBot;
const eventsUrl = () => `http://127.0.0.1:${port}/slack/events`;

function firing(labels: Record<string, string>, annotations: Record<string, string>, fingerprint: string): Record<string, unknown> {
  return { status: 'firing', labels, annotations, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus:9090/graph', fingerprint };
}

/** Text and blocks of every top-level message in a channel, as members see them now (updates applied). */
function channelTexts(channel: string): string[] {
  return slack.messages(channel).map((message) => `${message.text} ${JSON.stringify(message.blocks ?? [])}`);
}

beforeAll(async () => {
  await redis.flushdb();
  slack = await startFakeSlack();
  // A model that reads the open incidents, then answers repeating every alert line it was shown:
  // whatever reached it would reach Slack too.
  llm = await startFakeOpenAi({
    apiKey: OPENAI_API_KEY,
    script: (request) => {
      const incidents = toolResults(request).get('list_incidents');
      if (incidents === undefined) return { tool_calls: [{ name: 'list_incidents', arguments: {} }] };
      const alertLines = incidents.split('\n').filter((line) => line.trim().startsWith('·')).map((line) => `- ${line.trim().slice(1).trim()}`);
      return { text: ['Root cause: user — its own alerts say what is wrong', 'Evidence:', ...alertLines, 'What to do:', '- Rotate the credentials the alerts name'].join('\n') };
    },
  });
  port = await freePort();
  bot = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    environment: { LOG_LEVEL: 'debug', OPENAI_BASE_URL: llm.baseUrl, OPENAI_API_KEY, OPENAI_MODEL: 'scripted-parrot' },
  });
}, 30_000);

afterAll(async () => {
  bot?.stop('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await slack?.close();
  await llm?.close();
  await redis.flushdb();
  await redis.quit();
});

describe('secure by default (issue 14), end to end', () => {
  it('refuses a webhook delivery without the bearer token: 401, and nothing is opened', async () => {
    const alert = firing({ alertname: 'WebhookAuthProbe', namespace: 'shop', service: 'catalogue', severity: 'critical' }, { summary: 'catalogue queries at 4 s p95 (webhook auth probe)' }, 'f00000000000a001');
    const body = JSON.stringify({ version: '4', groupKey: '{}:{alertname="WebhookAuthProbe",service="catalogue"}', status: 'firing', receiver: 'aiops', groupLabels: { alertname: 'WebhookAuthProbe', service: 'catalogue' }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts: [alert] });
    const post = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const mentionsProbe = () => slack.calls().some((call) => JSON.stringify(call.body).includes('webhook auth probe'));

    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer not-the-webhook-token-at-all' })).status).toBe(401);
    // A critical alert is posted at once (groupWait 0s; the accepted one below must show within 3 s): a refused one gets as long.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(mentionsProbe()).toBe(false);

    // The very same body with the token opens the incident.
    expect((await post({ authorization: `Bearer ${WEBHOOK_TOKEN}` })).status).toBe(200);
    await until(() => slack.messages().some((message) => /INC-\d+/.test(message.text) && message.text.includes('webhook auth probe')), 'the incident of the authorised delivery', 3_000);
  }, 20_000);

  it('refuses a silence by someone outside the owning team, announces nothing, and posts the next critical alert', async () => {
    // U0BOB is in web (S0SHOPWEB); payment belongs to payments (S0SHOPPAY).
    const responseUrl = slack.responseUrl({ channel: '#shop-payments' });
    expect((await sendCommand(eventsUrl(), SIGNING_SECRET, { text: 'silence payment 2h maintenance', userId: 'U0BOB', channelId: '#shop-payments', responseUrl })).status).toBe(200);
    const refusal = () => [...slack.calls('chat.postEphemeral'), ...slack.calls(RESPONSE_URL_CALL)].find((call) => String(call.body.text).includes('silence payment'));
    await until(() => refusal() !== undefined, 'the refusal of U0BOB\'s silence');
    const refused = refusal()!;
    expect(refused.body.text).toBe('Only payments or the responders may silence payment.');
    if (refused.method === 'chat.postEphemeral') expect(refused.body.user).toBe('U0BOB');
    else expect(refused.body.response_type).toBe('ephemeral');
    const audit = await redis.xrevrange('aiops:audit', '+', '-', 'COUNT', 20);
    expect(audit.some(([, fields]) => fields.join(' ').includes('"action":"silence-refused"') && fields.join(' ').includes('U0BOB'))).toBe(true);

    // The next critical alert of payment is posted in its channel, not held.
    const alert = firing({ alertname: 'PaymentErrorsCritical', namespace: 'shop', service: 'payment', severity: 'critical' }, { summary: 'payment failing 31% of charges after the refused silence' }, 'f00000000000b001');
    expect((await postAlertmanagerWebhook(port, [alert])).status).toBe(200);
    await until(() => channelTexts('#shop-payments').some((text) => /INC-\d+/.test(text) && text.includes('payment failing 31% of charges')), 'the critical payment incident in #shop-payments', 5_000);
    // Nothing said a silence started, anywhere.
    expect(slack.calls('chat.postMessage').filter((call) => /silenced/.test(String(call.body.text)))).toEqual([]);

    // The owning team may: U0CAROL (payments) silences checkout, also payments', and it is announced in its channel.
    await sendCommand(eventsUrl(), SIGNING_SECRET, { text: 'silence checkout 1h card processor cutover', userId: 'U0CAROL', channelId: '#shop-payments', responseUrl });
    await until(() => slack.messages('#shop-payments').some((message) => message.text.includes('<@U0CAROL> silenced checkout') && message.text.includes('card processor cutover')), 'U0CAROL\'s silence announced in #shop-payments');
  }, 30_000);

  it('keeps secrets in alert annotations out of the model\'s requests, the log and every Slack call', async () => {
    // The first summary is long (its prefix as long as the one test/e2e/secret-in-alert.test.ts had,
    // which this test replaces): the model's incident list shows 160 characters of a summary, and
    // the AWS key straddles that cut, so a cut before redaction would leave part of it. The others
    // are short, so that list has each secret whole before redaction.
    const padding = 'user cannot reach its database after the credentials rotation; retries are failing for every sign-in request now';
    const alerts = [
      firing(
        { alertname: 'UserDatabaseUnreachable', namespace: 'shop', service: 'user', severity: 'critical' },
        { summary: `${padding} (aws secret ${AWS_SECRET}, DATABASE_URL=postgres://user:${DATABASE_PASSWORD}@user-db:5432/user)`, description: `Notify https://hooks.slack.com/services/${SLACK_WEBHOOK_PATH} when fixed.` },
        'f00000000000c001',
      ),
      firing({ alertname: 'UserAvatarUploadsRejected', namespace: 'shop', service: 'user', severity: 'critical' }, { summary: `user avatar uploads rejected by S3, signed with ${AWS_SECRET} since the rotation` }, 'f00000000000c002'),
      firing({ alertname: 'UserDatabaseLoginsFailing', namespace: 'shop', service: 'user', severity: 'critical' }, { summary: `user logins fail: DATABASE_URL=postgres://user:${DATABASE_PASSWORD}@user-db:5432/user; notify https://hooks.slack.com/services/${SLACK_WEBHOOK_PATH}` }, 'f00000000000c003'),
    ];
    expect((await postAlertmanagerWebhook(port, alerts)).status).toBe(200);
    await until(() => channelTexts('#shop-identity').some((text) => /INC-\d+/.test(text) && text.includes('user cannot reach its database')), 'the incident message in #shop-identity');
    const incidentId = /INC-\d+/.exec(channelTexts('#shop-identity').find((text) => text.includes('user cannot reach its database'))!)![0];

    // Asked about the service: the model reads the incidents (list_incidents) and repeats their alerts.
    const ts = '1764000900.000100';
    await sendEvent(eventsUrl(), SIGNING_SECRET, { type: 'app_mention', user: 'U0ALICE', text: '<@U0AIOPSBOT> what is wrong with the user service?', channel: 'C0SECURITY', ts, event_ts: ts }, { eventId: 'Ev0SECURITY' });
    const answered = () => slack.thread('C0SECURITY', ts).find((message) => /Investigated by the LLM agent/.test(JSON.stringify(message.blocks)));
    await until(() => answered() !== undefined, 'the agent\'s answer', 20_000);
    // And /aiops incidents, answered ephemerally, then (the ephemeral refused) on the response URL.
    const responseUrl = slack.responseUrl({ channel: 'C0SECURITY' });
    await sendCommand(eventsUrl(), SIGNING_SECRET, { text: 'incidents', userId: 'U0ALICE', channelId: 'C0SECURITY', responseUrl });
    await until(() => slack.calls('chat.postEphemeral').some((call) => JSON.stringify(call.body).includes(incidentId)), 'the ephemeral answer to /aiops incidents');
    slack.failNext('chat.postEphemeral', { error: 'channel_not_found' });
    await sendCommand(eventsUrl(), SIGNING_SECRET, { text: 'incidents', userId: 'U0ALICE', channelId: 'C0SECURITY', responseUrl });
    await until(() => slack.calls(RESPONSE_URL_CALL).some((call) => JSON.stringify(call.body).includes(incidentId)), 'the answer to /aiops incidents on the response URL');

    // Positive controls: the alerts' own words did reach each way out, redacted where the secrets were.
    const modelRequests = JSON.stringify(llm.requests().map((request) => request.body));
    const listed = llm.requests().flatMap((request) => request.toolMessages.map((message) => message.content)).join('\n');
    for (const words of ['UserDatabaseUnreachable', 'user cannot reach its database', 'user avatar uploads rejected by S3, signed with [REDACTED]', 'user logins fail: DATABASE_URL=postgres://user:[REDACTED]@user-db']) expect(listed).toContain(words);
    expect(listed).toContain('hooks.slack.com');
    const slackCalls = JSON.stringify(slack.calls().map((call) => call.body));
    for (const words of ['user cannot reach its database', 'user avatar uploads rejected by S3', 'user logins fail', '[REDACTED]']) expect(slackCalls).toContain(words);
    expect(JSON.stringify(answered()!.blocks)).toContain('user avatar uploads rejected by S3');
    expect(slack.calls(RESPONSE_URL_CALL).length).toBeGreaterThan(0);
    expect(log.text).toContain(incidentId);
    expect(log.text).toContain('user avatar uploads rejected by S3'); // the Slack client logs its request bodies at debug

    // Soft, so a leak is reported for every way out it took.
    for (const fragment of FRAGMENTS) {
      expect.soft(modelRequests, `the model's requests hold ${fragment}`).not.toContain(fragment);
      expect.soft(slackCalls, `the Slack calls hold ${fragment}`).not.toContain(fragment);
      expect.soft(log.text, `the log holds ${fragment}`).not.toContain(fragment);
    }
  }, 40_000);
});

describe('answers scoped to who asks', () => {
  it('answers a DM from someone in no team and no channel with one line, and reads nothing for them', async () => {
    const modelCalls = llm.requests().length;
    const ts = '1764000950.000100';
    await sendEvent(eventsUrl(), SIGNING_SECRET, { type: 'message', channel_type: 'im', user: 'U0NOBODY', text: 'why is payment failing?', channel: 'D0NOBODY', ts, event_ts: ts }, { eventId: 'Ev0NOBODYDM' });
    await until(() => slack.calls('chat.postMessage').some((call) => call.body.channel === 'D0NOBODY' && /you are in none of them/.test(String(call.body.text))), 'the refusal in the DM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slack.calls('chat.postMessage').filter((call) => call.body.channel === 'D0NOBODY')).toHaveLength(1);
    expect(llm.requests().length).toBe(modelCalls);
  });
});

describe('a bot started without ALERTMANAGER_WEBHOOK_TOKEN', () => {
  it('refuses every delivery with a 403 naming ALERTMANAGER_WEBHOOK_TOKEN', async () => {
    const own = await testRedis();
    const ownSlack = await startFakeSlack();
    const ownPort = await freePort();
    const tokenless = await startInProcessBot({ slackApiUrl: ownSlack.apiUrl, botToken: ownSlack.botToken, signingSecret: SIGNING_SECRET, port: ownPort, redisUrl: own.url, environment: { ALERTMANAGER_WEBHOOK_TOKEN: '' } });
    try {
      const alert = firing({ alertname: 'TokenlessProbe', namespace: 'shop', service: 'cart', severity: 'critical' }, { summary: 'cart probe to a bot without a webhook token' }, 'f00000000000d001');
      // With any bearer at all, the one it would have sent included.
      const response = await postAlertmanagerWebhook(ownPort, [alert]);
      expect(response.status).toBe(403);
      expect(JSON.stringify(await response.json())).toContain('ALERTMANAGER_WEBHOOK_TOKEN');
      const bare = await fetch(`http://127.0.0.1:${ownPort}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(bare.status).toBe(403);
      expect(await bare.text()).toContain('ALERTMANAGER_WEBHOOK_TOKEN');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(ownSlack.calls().some((call) => JSON.stringify(call.body).includes('TokenlessProbe') || JSON.stringify(call.body).includes('cart probe'))).toBe(false);
    } finally {
      tokenless.stop('SIGTERM');
      expect(await tokenless.exited).toBe(0);
      await ownSlack.close();
      await own.redis.flushdb();
      await own.redis.quit();
    }
  }, 30_000);
});
