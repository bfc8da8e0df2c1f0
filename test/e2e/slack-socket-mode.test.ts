import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { eventCallbackBody, slashCommandFields } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/slack-socket-mode.js';
import { createHarness } from '../support/cli-harness.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The bot as a user starts it behind a firewall: Socket Mode (SLACK_APP_TOKEN set), so Slack's
 * events and commands arrive over a WebSocket the bot opened, and acks go back the same way.
 */

const { url: REDIS_URL, redis } = await testRedis();
let socketMode: FakeSocketMode;
let slack: FakeSlack;
let stop: (signal: string) => void;
let exited: Promise<number>;

beforeAll(async () => {
  await redis.flushdb();
  socketMode = await startFakeSocketMode({ pingIntervalMilliseconds: 1_000 });
  slack = await startFakeSlack({ socketMode });
  const harness = createHarness({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    REDIS_URL,
    AIOPS_SCENARIO: 'bad-deploy',
    LOG_LEVEL: 'fatal',
  });
  stop = harness.stop;
  exited = runCli(['start'], harness.context);
  await socketMode.connected;
}, 60_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  await socketMode?.close();
  await redis.flushdb();
  await redis.quit();
});

describe('Slack over Socket Mode', () => {
  it('acks a mention at once and answers it in the thread; a redelivery gets no second answer', async () => {
    const event = { type: 'app_mention', user: 'U0ALICE', text: '<@U0AIOPSBOT> is payment healthy?', channel: 'C0PAY', ts: '1764000100.000100', event_ts: '1764000100.000100' };
    const body = eventCallbackBody(event, { eventId: 'Ev0SOCKET' });
    const ack = await socketMode.sendEnvelope('events_api', body);
    expect(ack.elapsedMilliseconds).toBeLessThan(3_000);
    await slack.waitFor((call) => call.method === 'chat.postMessage' && call.body.thread_ts === event.ts, 5_000);
    await slack.waitFor((call) => call.method === 'chat.update' && /payment/.test(String(call.body.text)), 10_000);

    await socketMode.sendEnvelope('events_api', body, { retryAttempt: 1, retryReason: 'timeout' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(slack.calls('chat.postMessage').filter((call) => call.body.thread_ts === event.ts)).toHaveLength(1);
  }, 30_000);

  it('answers /aiops help to the user alone', async () => {
    const ack = await socketMode.sendEnvelope('slash_commands', slashCommandFields({ text: 'help', userId: 'U0ALICE', channelId: 'C0PAY' }));
    expect(ack.elapsedMilliseconds).toBeLessThan(3_000);
    const reply = await slack.waitFor('chat.postEphemeral', 5_000);
    expect(reply.body.user).toBe('U0ALICE');
    expect(String(reply.body.text)).toMatch(/status/);
  }, 15_000);
});
