import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommand, sendEvent } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The bot as a user starts it (`aiops start`: the simulated world playing the connection-pool
 * scenario, real Redis, detection workers), in HTTP mode against the fake Slack Web API, driven
 * by signed requests as Slack sends them.
 */

const SIGNING_SECRET = 'e2e-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let eventsUrl: string;
let stop: (signal: string) => void;
let exited: Promise<number>;


async function until<T>(probe: () => Promise<T | undefined>, timeoutMilliseconds: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function mention(text: string, channel: string, ts: string) {
  return { type: 'app_mention', user: 'U0ALICE', text: `<@U0AIOPSBOT> ${text}`, channel, ts, event_ts: ts };
}

beforeAll(async () => {
  slack = await startFakeSlack();
  const port = await freePort();
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  ({ stop, exited } = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    environment: {
      AIOPS_SCENARIO: 'db-pool-exhaustion',
      // An hour of simulated time a minute: the fault starts 5 simulated minutes in, at a fixed time
      // of day, so the test does not depend on when it runs (shop traffic ramps up to 20:00 UTC).
      // Not faster: on a busy machine detection lags, and a finding scored more than 15 simulated
      // minutes late is learnt from, not raised.
      AIOPS_SIM_SPEED: '60',
      AIOPS_SIM_START: '2026-11-24T14:55:00Z',
    },
  }));
  // Detection needs a few simulated minutes of the fault before the database is in anomaly.
  await until(
    async () => {
      const ids = await redis.zrange('aiops:anomalies:index', '0', '-1');
      return ids.some((id) => id.startsWith('database:')) ? true : undefined;
    },
    120_000,
    'an anomaly on database',
  );
}, 150_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  await redis.quit();
});

describe('Slack, end to end over HTTP', () => {
  it('answers "why is order-service slow?" in the thread, naming the database, and ignores Slack\'s retry', async () => {
    const event = mention('why is order-service slow?', 'C0ORDERS', '1764000000.000100');
    const delivery = await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0WHY' });
    expect(delivery.status).toBe(200);
    expect(delivery.elapsedMilliseconds).toBeLessThan(3_000);
    const reply = await slack.waitFor((call) => call.method === 'chat.postMessage' && call.body.thread_ts === event.ts, 5_000);
    expect(String(reply.body.text)).toMatch(/looking into it/i);
    await until(async () => (slack.thread('C0ORDERS', event.ts).at(-1)?.text.includes('database') ? true : undefined), 15_000, 'the final answer');
    const [answer] = slack.thread('C0ORDERS', event.ts);
    expect(answer!.updateCount).toBeGreaterThan(0);
    expect(answer!.text).toMatch(/database/);
    expect(JSON.stringify(answer!.blocks)).toMatch(/no LLM/i);

    // Slack redelivers the same event (same event_id): no second answer.
    const retry = await sendEvent(eventsUrl, SIGNING_SECRET, event, { eventId: 'Ev0WHY', retryNum: 1 });
    expect(retry.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(slack.calls('chat.postMessage').filter((call) => call.body.thread_ts === event.ts)).toHaveLength(1);
  }, 30_000);

  it('keeps the thread\'s services for a follow-up that names none', async () => {
    const event = mention('why is order-service slow?', 'C0FOLLOW', '1764000010.000100');
    await sendEvent(eventsUrl, SIGNING_SECRET, event);
    await until(async () => (slack.thread('C0FOLLOW', event.ts).at(-1)?.text.includes('database') ? true : undefined), 15_000, 'the first answer');
    const followUp = { ...mention('and what changed recently?', 'C0FOLLOW', '1764000011.000200'), thread_ts: event.ts };
    await sendEvent(eventsUrl, SIGNING_SECRET, followUp);
    await until(async () => (slack.thread('C0FOLLOW', event.ts).length >= 2 && slack.thread('C0FOLLOW', event.ts).at(-1)!.updateCount > 0 ? true : undefined), 15_000, 'the follow-up answer');
    const answer = slack.thread('C0FOLLOW', event.ts).at(-1)!;
    expect(JSON.stringify(answer.blocks)).toMatch(/order-service/);
    expect(JSON.stringify(answer.blocks)).not.toMatch(/all 10 catalogued services/);
  }, 40_000);

  it('answers a direct message in its thread', async () => {
    const message = { type: 'message', channel_type: 'im', user: 'U0ALICE', text: 'why is order-service slow?', channel: 'D0ALICE', ts: '1764000020.000100', event_ts: '1764000020.000100' };
    await sendEvent(eventsUrl, SIGNING_SECRET, message);
    await until(async () => (slack.thread('D0ALICE', message.ts).at(-1)?.text.includes('database') ? true : undefined), 15_000, 'the DM answer');
  }, 20_000);

  it('answers /aiops status, incidents, help and a malformed command, each to the user alone', async () => {
    const ask = async (text: string) => {
      const before = slack.calls('chat.postEphemeral').length;
      const delivery = await sendCommand(eventsUrl, SIGNING_SECRET, { text, userId: 'U0ALICE', channelId: 'C0ORDERS' });
      expect(delivery.status).toBe(200);
      const call = await slack.waitFor((candidate) => candidate.method === 'chat.postEphemeral' && slack.calls('chat.postEphemeral').indexOf(candidate) >= before, 5_000);
      expect(call.body.user).toBe('U0ALICE');
      return String(call.body.text);
    };
    expect(await ask('status')).toMatch(/database/);
    expect(await ask('incidents')).toMatch(/database/);
    expect(await ask('help')).toMatch(/ask/);
    // Log mining has been running alongside detection: the pool timeouts are order-service's news.
    expect(await ask('logs order-service 15m')).toMatch(/Timeout acquiring connection/);
    expect(await ask('frobnicate now')).toMatch(/Unknown subcommand `frobnicate`/);
  }, 30_000);

  it('answers /aiops forecast order-service 24h with a PNG chart in the channel and the summary, and a bad horizon to the user alone', async () => {
    const delivery = await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'forecast order-service 24h', userId: 'U0ALICE', channelId: 'C0ORDERS' });
    expect(delivery.status).toBe(200);
    const completed = await slack.waitFor((call) => call.method === 'files.completeUploadExternal', 20_000);
    expect(completed.body.channel_id).toBe('C0ORDERS');
    const file = slack.files().find((candidate) => candidate.completed)!;
    expect(file.filename).toMatch(/^forecast-order-service-cpu-.*\.png$/);
    const png = file.content!;
    // A PNG: its signature, then IHDR with the chart's width and height.
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 500]);
    const posted = slack.messages('C0ORDERS').find((message) => message.files?.some((shared) => shared.id === file.id))!;
    expect(posted.text).toMatch(/order-service cpu, next 24 h/);
    expect(posted.text).toMatch(/Replicas: 3 now/);
    expect(posted.text).toMatch(/backtest origins: MAE/);

    const before = slack.calls('chat.postEphemeral').length;
    await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'forecast order-service soon', userId: 'U0ALICE', channelId: 'C0ORDERS' });
    const call = await slack.waitFor((candidate) => candidate.method === 'chat.postEphemeral' && slack.calls('chat.postEphemeral').indexOf(candidate) >= before, 5_000);
    expect(String(call.body.text)).toMatch(/`soon` is neither a signal/);
    expect(slack.files().filter((candidate) => candidate.completed)).toHaveLength(1);
  }, 40_000);

  it('runs a command said to it in a mention or a DM, answering in the thread; a question that starts like one is still a question', async () => {
    const said = async (text: string, ts: string, channel = 'C0SAID') => {
      const event = channel.startsWith('D') ? { type: 'message', channel_type: 'im', user: 'U0ALICE', text, channel, ts, event_ts: ts } : mention(text, channel, ts);
      expect((await sendEvent(eventsUrl, SIGNING_SECRET, event)).status).toBe(200);
      return until(async () => slack.thread(channel, ts)[0], 20_000, `the reply to "${text}"`);
    };
    expect((await said('status', '1764000060.000100')).text).toMatch(/database/);
    expect((await said('help', '1764000061.000100')).text).toMatch(/^\/aiops commands:/);
    expect((await said('incidents', '1764000062.000100', 'D0ALICE')).text).toMatch(/database/);
    expect((await said('forecast order-service soon', '1764000063.000100')).text).toMatch(/`soon` is neither a signal/);
    // The chart goes into the thread it was asked in.
    const forecastTs = '1764000064.000100';
    const uploads = slack.calls('files.completeUploadExternal').length;
    await sendEvent(eventsUrl, SIGNING_SECRET, mention('forecast order-service 6h', 'C0SAID', forecastTs));
    const completed = await slack.waitFor((call) => call.method === 'files.completeUploadExternal' && slack.calls('files.completeUploadExternal').indexOf(call) >= uploads, 20_000);
    expect(completed.body).toMatchObject({ channel_id: 'C0SAID', thread_ts: forecastTs });
    // "help" and "status" followed by more words are questions, answered by the investigation.
    await said('help me find why order-service is slow', '1764000065.000100');
    await until(async () => (slack.thread('C0SAID', '1764000065.000100').at(-1)?.text.includes('root-cause engine') ? true : undefined), 20_000, 'the investigation');
  }, 60_000);

  it('answers capacity, logs, incidents, trends, history and estate capacity questions in words with what the command shows, in the thread', async () => {
    const uploads = slack.calls('files.completeUploadExternal').length;
    const capacityTs = '1764000070.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, mention('how many replicas will order-service need tomorrow?', 'C0SAID', capacityTs));
    const completed = await slack.waitFor((call) => call.method === 'files.completeUploadExternal' && slack.calls('files.completeUploadExternal').indexOf(call) >= uploads, 20_000);
    expect(completed.body).toMatchObject({ channel_id: 'C0SAID', thread_ts: capacityTs });
    const file = slack.files().filter((candidate) => candidate.completed).at(-1)!;
    expect(file.filename).toMatch(/^forecast-order-service-cpu-.*\.png$/);
    const posted = slack.thread('C0SAID', capacityTs).find((message) => message.files?.some((shared) => shared.id === file.id))!;
    // "Tomorrow" is the rest of today and all of tomorrow: more than a day ahead.
    expect(posted.text).toMatch(/order-service cpu, next (2[5-9]|[34]\d) h/);
    expect(posted.text).toMatch(/Replicas: 3 now/);
    // No investigation was started for it: its first words are no "looking into it".
    expect(slack.thread('C0SAID', capacityTs).some((message) => /Looking into/i.test(message.text))).toBe(false);
    // A follow-up in the thread asks the same of another service.
    const followUpTs = '1764000070.000200';
    await sendEvent(eventsUrl, SIGNING_SECRET, { ...mention('and payment?', 'C0SAID', followUpTs), thread_ts: capacityTs });
    await until(async () => (slack.files().some((candidate) => candidate.completed && /^forecast-payment-cpu-/.test(candidate.filename ?? '')) ? true : undefined), 20_000, "payment's forecast");

    const logsTs = '1764000071.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, mention('what is the database logging?', 'C0SAID', logsTs));
    const reply = await until(async () => slack.thread('C0SAID', logsTs)[0], 20_000, 'the log templates');
    expect(reply.text).toMatch(/^Log templates of database, last 15 min/);

    const firingTs = '1764000072.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, mention("what's firing?", 'C0SAID', firingTs));
    expect((await until(async () => slack.thread('C0SAID', firingTs)[0], 20_000, 'the open incidents')).text).toMatch(/^Open incidents \(\d+\).*database/s);
    const trendsTs = '1764000073.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, mention('how is order-service doing compared to last week?', 'C0SAID', trendsTs));
    expect((await until(async () => slack.thread('C0SAID', trendsTs)[0], 20_000, 'the trends')).text).toMatch(/order-service/);
    const capacityWideTs = '1764000075.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, mention('will anything run out of capacity this week?', 'C0SAID', capacityWideTs));
    expect((await until(async () => slack.thread('C0SAID', capacityWideTs)[0], 20_000, 'the capacity warnings')).text).toMatch(/^(No forecasts yet|No forecast reaches a limit within a week \(\d+ forecasts|Capacity within a week \(\d+\))/);
    // This bot keeps no history: the answer says where it would be.
    const historyTs = '1764000074.000100';
    await sendEvent(eventsUrl, SIGNING_SECRET, mention('how many incidents did we have last week?', 'C0SAID', historyTs));
    expect((await until(async () => slack.thread('C0SAID', historyTs)[0], 20_000, 'the history')).text).toMatch(/kept in PostgreSQL.*DATABASE_URL/);
  }, 60_000);

  it('publishes App Home with the open incidents when a user opens it', async () => {
    const delivery = await sendEvent(eventsUrl, SIGNING_SECRET, { type: 'app_home_opened', user: 'U0BOB', channel: 'D0BOB', tab: 'home', event_ts: '1764000001.000200' });
    expect(delivery.status).toBe(200);
    await slack.waitFor((call) => call.method === 'views.publish' && call.body.user_id === 'U0BOB', 5_000);
    expect(JSON.stringify(slack.homeView('U0BOB'))).toMatch(/database/);
  }, 15_000);

  it('waits out a 429 from chat.postMessage and delivers the reply once', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });
    const event = mention('is payment ok?', 'C0PAY', '1764000002.000300');
    await sendEvent(eventsUrl, SIGNING_SECRET, event);
    await until(async () => (slack.thread('C0PAY', event.ts).length > 0 ? true : undefined), 10_000, 'the reply after the 429');
    const attempts = slack.calls('chat.postMessage').filter((call) => call.body.thread_ts === event.ts);
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(slack.thread('C0PAY', event.ts)).toHaveLength(1);
  }, 20_000);

  it('refuses a bad signature or an old timestamp with 401 and does nothing', async () => {
    const forged = await sendEvent(eventsUrl, SIGNING_SECRET, mention('hello', 'C0X', '1764000003.000400'), { badSignature: true });
    const stale = await sendCommand(eventsUrl, SIGNING_SECRET, { text: 'status', userId: 'U0ALICE', channelId: 'C0X' }, { staleTimestamp: true });
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Other calls may arrive meanwhile (App Home refreshes as anomalies come in); none answers these.
    expect(slack.calls().filter((call) => call.body.channel === 'C0X')).toEqual([]);
  });
});
