import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertFromAnomaly } from '../../src/alerts/alert.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { KEY_PREFIX } from '../../src/state/redis.js';
import { blockActionPayload, sendBlockAction } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { until } from '../support/until.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';

/**
 * The Forecast button, end to end: our detectors predict that order-service's memory reaches its
 * limit, the incident's root message offers the forecast, and a click posts the chart in the
 * incident's thread; a double click on it, or on Investigate, answers once.
 */

const SIGNING_SECRET = 'forecast-button-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

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

describe('the Forecast and Investigate buttons, end to end', () => {
  it('offers the forecast on an incident of a predicted exhaustion and posts its chart in the thread; a double click on it or on Investigate answers once', async () => {
    // As the detection worker reports it, into the bot's own incident store: critical, so no group wait holds it back.
    const now = Date.now();
    const predicted: Anomaly = {
      id: `order-service:predictive:memory:${now}`,
      kind: 'predictive',
      service: 'order-service',
      signals: ['memory'],
      score: 0.9,
      severity: 'critical',
      detectedAt: now,
      evidence: { start: now - 3 * 3_600_000, end: now },
      summary: 'order-service: memory reaches its limit in about 2 h',
    };
    const store = new IncidentStore(redis, KEY_PREFIX, catalogue);
    await store.ingest([alertFromAnomaly(predicted)], now);
    await store.close();

    const isRoot = (call: { body: Record<string, unknown> }) => call.body.thread_ts === undefined && /INC-\d+ on order-service/.test(String(call.body.text));
    await until(() => slack.calls('chat.postMessage').some(isRoot), 'the root message', 30_000);
    const root = slack.calls('chat.postMessage').find(isRoot)!;
    const ts = (root.response as { ts: string }).ts;
    const channel = String(root.body.channel);
    const incidentId = /INC-\d+/.exec(String(root.body.text))![0];
    expect(JSON.stringify(root.body.blocks)).toContain('aiops_incident_forecast');

    const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
    const clickOn = (actionId: string) => blockActionPayload({ actionId, value: incidentId, userId: 'U0ALICE', channelId: channel, messageTs: ts, responseUrl: slack.responseUrl({ channel }) });
    const click = clickOn('aiops_incident_forecast');
    // A double click: both answered 200, one chart.
    const deliveries = await Promise.all([sendBlockAction(eventsUrl, SIGNING_SECRET, click), sendBlockAction(eventsUrl, SIGNING_SECRET, click)]);
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    const completed = await slack.waitFor((call) => call.method === 'files.completeUploadExternal', 30_000);
    expect(completed.body).toMatchObject({ channel_id: channel, thread_ts: ts });
    const file = slack.files().find((candidate) => candidate.completed)!;
    expect(file.filename).toMatch(/^forecast-order-service-memory-.*\.png$/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(slack.calls('files.completeUploadExternal')).toHaveLength(1);

    // Investigate, double-clicked as well: one answer in the thread.
    const investigate = clickOn('aiops_incident_investigate');
    await Promise.all([sendBlockAction(eventsUrl, SIGNING_SECRET, investigate), sendBlockAction(eventsUrl, SIGNING_SECRET, investigate)]);
    const answers = () => slack.calls('chat.postMessage').filter((call) => call.body.thread_ts === ts && /^Looking into it/.test(String(call.body.text)));
    await until(() => answers().length > 0, 'the investigation', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(answers()).toHaveLength(1);
  }, 60_000);
});
