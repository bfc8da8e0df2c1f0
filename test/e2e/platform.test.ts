import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CATALOGUE_PATH } from '../../src/catalogue.js';
import { startFakePagers, type FakePagers } from '../fakes/pagers.js';
import { blockActionPayload, sendBlockAction, sendCommand } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { skipWithout } from '../support/requirements.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * The platform end to end in the simulated world, with two bot replicas on one Redis and a
 * PostgreSQL of the test's own: a critical Alertmanager alert on shipping pages PagerDuty and
 * Opsgenie once each (PagerDuty's first answer a 503, retried), the HTTP API lists the incident,
 * the Acknowledge button acknowledges both pages, the Resolve button resolves both, the history
 * in PostgreSQL has it; after a restart the bot pages nothing more and `/aiops history` shows it.
 */

const SIGNING_SECRET = 'paging-signing-secret';
const API_TOKEN = 'platform-read-token-0123456789';
const skip = skipWithout('postgres', 'the platform end to end (its history is in PostgreSQL)');
let database: PostgresServer;
const { url: REDIS_URL, redis } = await testRedis();
const folder = mkdtempSync(join(tmpdir(), 'aiops-paging-'));
let slack: FakeSlack;
let pagers: FakePagers;
const bots: InProcessBot[] = [];
let port: number;

function alert(startsAt: number): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', namespace: 'shop', service: 'shipping', severity: 'critical' },
    annotations: { summary: 'shipping is failing requests' },
    startsAt: new Date(startsAt).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: 'f00000000000a6e1',
  };
}

async function startBot(botPort: number): Promise<InProcessBot> {
  const bot = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port: botPort,
    redisUrl: REDIS_URL,
    environment: {
      AIOPS_CONFIG: join(folder, 'catalogue.yml'),
      AIOPS_PAGING_KEY_ORDERS_PAGERDUTY: pagers.routingKey,
      AIOPS_PAGING_KEY_ORDERS_OPSGENIE: pagers.genieKey,
      AIOPS_API_TOKENS: `dashboard:read:${API_TOKEN}`,
      DATABASE_URL: database.url,
    },
  });
  bots.push(bot);
  return bot;
}

async function stopBot(bot: InProcessBot): Promise<void> {
  bot.stop('SIGTERM');
  expect(await bot.exited).toBe(0);
}

beforeAll(async () => {
  if (skip) return;
  database = await startPostgresServer();
  slack = await startFakeSlack();
  pagers = await startFakePagers();
  const paging = {
    receivers: { 'orders-pagerduty': { type: 'pagerduty', url: pagers.pagerDutyUrl }, 'orders-opsgenie': { type: 'opsgenie', url: pagers.opsgenieUrl } },
    routes: [
      { receiver: 'orders-pagerduty', teams: ['orders'] },
      { receiver: 'orders-opsgenie', services: ['shipping', 'order-service'] },
    ],
  };
  writeFileSync(join(folder, 'catalogue.yml'), stringify({ ...(parse(readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8')) as Record<string, unknown>), paging }));
  port = await freePort();
  await startBot(port);
  await startBot(await freePort());
}, 30_000);

afterAll(async () => {
  for (const bot of bots.splice(0)) {
    bot.stop('SIGTERM');
    await bot.exited;
  }
  await slack?.close();
  await pagers?.close();
  await database?.stop();
  await redis.quit();
  rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(skip)('paging, the HTTP API and the history', () => {
  it('pages once across two replicas, lists the incident in the API, acknowledges and resolves with the buttons, and keeps it in the history across a restart', async () => {
    pagers.failNext('pagerduty', 1, 503);
    expect((await postAlertmanagerWebhook(port, [alert(Date.now() - 60_000)])).status).toBe(200);
    const isRoot = (call: { body: Record<string, unknown> }) => call.body.thread_ts === undefined && /INC-\d+ on shipping/.test(String(call.body.text));
    await until(() => slack.calls('chat.postMessage').some(isRoot), 'the root message');
    const root = slack.calls('chat.postMessage').find(isRoot)!;
    const ts = (root.response as { ts: string }).ts;
    const channel = String(root.body.channel);
    const incidentId = /INC-\d+/.exec(String(root.body.text))![0];
    await until(() => pagers.pagesSent('pagerduty') === 1 && pagers.pagesSent('opsgenie') === 1, 'one page on each pager');
    const [pagerDutyTrigger] = pagers.calls('pagerduty').filter((call) => call.status === 202);
    const key = String(pagerDutyTrigger!.body.dedup_key);
    expect(key).toContain(incidentId);
    expect(pagerDutyTrigger!.body).toMatchObject({ event_action: 'trigger', payload: { severity: 'critical', source: 'shipping' } });
    expect(pagers.calls('pagerduty').map((call) => call.status)).toEqual([503, 202]);

    const listed = (await (await fetch(`http://127.0.0.1:${port}/api/v1/incidents?status=open`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { items: Array<{ id: string; services: string[]; severity: string }> };
    expect(listed.items).toEqual([expect.objectContaining({ id: incidentId, services: ['shipping'], severity: 'critical' })]);

    const click = (actionId: string, userId: string) =>
      sendBlockAction(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, blockActionPayload({ actionId, value: incidentId, userId, channelId: channel, messageTs: ts, responseUrl: slack.responseUrl({ channel }) }));
    expect((await click('aiops_incident_acknowledge', 'U0DAVE')).status).toBe(200);
    await until(() => pagers.page('pagerduty', key)?.status === 'acknowledged' && pagers.page('opsgenie', key)?.status === 'acknowledged', 'both pages acknowledged');
    expect(pagers.calls('opsgenie').at(-1)!.body).toMatchObject({ user: 'U0DAVE', note: 'Acknowledged in Slack by U0DAVE' });

    expect((await click('aiops_incident_resolve', 'U0DAVE')).status).toBe(200);
    await until(() => pagers.page('pagerduty', key)?.status === 'resolved' && pagers.page('opsgenie', key)?.status === 'resolved', 'both pages resolved');

    for (const bot of bots.splice(0)) await stopBot(bot);
    const told = pagers.calls().length;
    const restartedPort = await freePort();
    await startBot(restartedPort);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(pagers.calls()).toHaveLength(told);

    // The history: asked after the restart, read from PostgreSQL.
    const before = slack.calls('chat.postEphemeral').length;
    expect((await sendCommand(`http://127.0.0.1:${restartedPort}/slack/events`, SIGNING_SECRET, { text: 'history shipping 1d', userId: 'U0DAVE', channelId: 'C0OPS' })).status).toBe(200);
    await until(() => slack.calls('chat.postEphemeral').length > before, 'the history reply');
    const history = String(slack.calls('chat.postEphemeral').at(-1)!.body.text);
    expect(history).toContain('History of the last 1 day on shipping:* 1 incident, 1 resolved');
    expect(history).toContain(`*${incidentId}*`);
    expect(history).toContain('resolved by <@U0DAVE>');
    const actions = (service: 'pagerduty' | 'opsgenie') => pagers.calls(service).filter((call) => call.status === 202).map((call) => (service === 'pagerduty' ? String(call.body.event_action) : call.path.replace(/^.*\/(acknowledge|close)\?.*$/, '$1').replace(/^\/opsgenie\/v2\/alerts$/, 'create')));
    expect(actions('pagerduty')).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(actions('opsgenie')).toEqual(['create', 'acknowledge', 'close']);
  }, 90_000);
});
