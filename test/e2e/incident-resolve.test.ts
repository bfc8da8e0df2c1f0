import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionPayload, sendBlockAction, sendCommand } from '../fakes/slack-signer.js';
import { RESPONSE_URL_CALL, startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { until } from '../support/until.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';

/**
 * Resolving an incident by hand, end to end: an Alertmanager alert opens it, the Resolve button
 * on its root message resolves it (the message edited, the thread told who), `/aiops incidents`
 * lists it as resolved, and the alert firing again reopens the same incident.
 */

const SIGNING_SECRET = 'resolve-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

function alert(startsAt: number): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', namespace: 'shop', service: 'shipping', severity: 'critical' },
    annotations: { summary: 'shipping is failing requests' },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: 'f0000000000000e1',
  };
}

async function webhook(alerts: Array<Record<string, unknown>>): Promise<void> {
  expect((await postAlertmanagerWebhook(port, alerts)).status).toBe(200);
}

beforeAll(async () => {
  await deleteKeys(redis);
  slack = await startFakeSlack();
  port = await freePort();
  ({ stop, exited } = await startInProcessBot({ slackApiUrl: slack.apiUrl, botToken: slack.botToken, signingSecret: SIGNING_SECRET, port, redisUrl: REDIS_URL }));
}, 30_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  await deleteKeys(redis);
  await redis.quit();
});

describe('the Resolve button, end to end', () => {
  it('resolves the incident by hand, says who in the message and its thread, lists it as resolved, and reopens it when the alert fires again', async () => {
    const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    await webhook([alert(Date.now() - 120_000)]);
    const isRoot = (call: { body: Record<string, unknown> }) => call.body.thread_ts === undefined && /INC-\d+ on shipping/.test(String(call.body.text));
    await until(() => slack.calls('chat.postMessage').some(isRoot), 'the root message');
    const root = slack.calls('chat.postMessage').find(isRoot)!;
    const ts = (root.response as { ts: string }).ts;
    const channel = String(root.body.channel);
    const incidentId = /INC-\d+/.exec(String(root.body.text))![0];
    expect(JSON.stringify(root.body.blocks)).toContain('aiops_incident_resolve');

    const clickBy = (userId: string) =>
      sendBlockAction(eventsUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'aiops_incident_resolve', value: incidentId, userId, channelId: channel, messageTs: ts, responseUrl: slack.responseUrl({ channel }) }));
    expect((await clickBy('U0DAVE')).status).toBe(200);
    await until(
      () => slack.calls('chat.update').some((call) => call.body.ts === ts && /^Resolved INC-/.test(String(call.body.text)) && JSON.stringify(call.body.blocks).includes('Resolved by <@U0DAVE>')),
      'the resolved root message',
    );
    const resolvedRoot = slack.calls('chat.update').filter((call) => call.body.ts === ts).at(-1)!;
    expect(JSON.stringify(resolvedRoot.body.blocks)).not.toContain('aiops_incident_resolve');
    await until(() => slack.calls('chat.postMessage').some((call) => call.body.thread_ts === ts && /✅ Resolved after \d+ min by <@U0DAVE>/.test(String(call.body.text))), 'the resolution note');
    const entries = await redis.xrevrange('aiops:audit', '+', '-', 'COUNT', 10);
    expect(entries.some(([, fields]) => fields.join(' ').includes('"action":"resolve"'))).toBe(true);

    // A second click: told, alone, that it is already resolved; nothing else happens.
    expect((await clickBy('U0ERIN')).status).toBe(200);
    await until(() => slack.calls(RESPONSE_URL_CALL).some((call) => String(call.body.text).includes(`${incidentId} was already resolved.`)), 'the already-resolved reply');
    expect(slack.calls(RESPONSE_URL_CALL).find((call) => String(call.body.text).includes('already resolved'))!.body.response_type).toBe('ephemeral');

    // `/aiops incidents` lists it among the incidents resolved lately, linked to its message.
    const before = slack.calls('chat.postEphemeral').length;
    await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'incidents', userId: 'U0DAVE', channelId: 'C0OPS' });
    await until(() => slack.calls('chat.postEphemeral').length > before, 'the incidents list');
    const listed = slack.calls('chat.postEphemeral').at(-1)!;
    expect(String(listed.body.text)).toContain(`✅ ${incidentId} on shipping — resolved`);
    expect(JSON.stringify(listed.body.blocks)).toContain(`message_ts=${ts}`);

    // The alert fires again, a new episode: the same incident reopens, and the message says so.
    await webhook([alert(Date.now() + 2_000)]);
    await until(
      () => slack.calls('chat.update').some((call) => call.body.ts === ts && /^Critical INC-/.test(String(call.body.text)) && call.at > resolvedRoot.at),
      'the reopened root message',
    );
    const reopened = slack.calls('chat.update').filter((call) => call.body.ts === ts).at(-1)!;
    expect(JSON.stringify(reopened.body.blocks)).not.toContain('Resolved by');
    expect(JSON.stringify(reopened.body.blocks)).toContain('aiops_incident_resolve');
    expect(slack.calls('chat.postMessage').filter(isRoot)).toHaveLength(1);
  }, 40_000);
});
