import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent } from '../fakes/slack-signer.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot } from '../support/in-process-bot.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * A change event posted to the running bot (`aiops start`, the simulated world, real Redis, the
 * fake Slack) is evidence in the answer to a question about its service, as a rollout is.
 */

const SIGNING_SECRET = 'e2e-change-events-secret';
const CHANGES_TOKEN = 'e2e-changes-webhook-token';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;
let stop: (signal: string) => void;
let exited: Promise<number>;

beforeAll(async () => {
  await deleteKeys(redis);
  slack = await startFakeSlack();
  port = await freePort();
  ({ stop, exited } = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    port,
    redisUrl: REDIS_URL,
    // Healing workers only: the answer reads changes, not detection, and the machine is shared.
    environment: { CHANGES_WEBHOOK_TOKEN: CHANGES_TOKEN, AIOPS_WORKER_QUEUES: 'healing' },
  }));
}, 60_000);

afterAll(async () => {
  stop?.('SIGTERM');
  expect(await exited).toBe(0);
  await slack?.close();
  await deleteKeys(redis);
  await redis.quit();
});

describe('change events, end to end', () => {
  it('answers "why is payment slow?" with the configuration change Argo CD reported', async () => {
    const delivery = await fetch(`http://127.0.0.1:${port}/webhooks/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CHANGES_TOKEN}` },
      body: JSON.stringify({ argocd: { app: 'payment', namespace: 'shop', revision: '9e8d7c6b5a4f3e2d', kind: 'config', phase: 'Succeeded', finishedAt: '', initiatedBy: 'carol', message: 'card-gateway timeout 5s to 500ms' } }),
    });
    expect(delivery.status).toBe(200);

    const event = { type: 'app_mention', user: 'U0ALICE', text: '<@U0AIOPSBOT> why is payment slow?', channel: 'C0PAY', ts: '1764000100.000100', event_ts: '1764000100.000100' };
    expect((await sendEvent(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, event)).status).toBe(200);
    await until(() => slack.thread('C0PAY', event.ts).at(-1)?.text.includes('Recent changes') === true, 'the answer with its recent changes', 20_000);
    const answer = slack.thread('C0PAY', event.ts).at(-1)!;
    const blocks = JSON.stringify(answer.blocks);
    expect(blocks).toContain('⚙️ *payment* 9e8d7c6b5a4f: Argo CD sync of payment: card-gateway timeout 5s to 500ms (by carol) (config)');
    expect(answer.text).toContain('payment 9e8d7c6b5a4f: Argo CD sync of payment: card-gateway timeout 5s to 500ms (by carol) (config)');
  }, 40_000);
});
