import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * Issue 15's acceptance, the other two faults, end to end with no LLM: `aiops start` on the
 * simulated shop and a fake Slack. A traffic surge on catalogue gets a scale-out with a replica
 * count in its incident's thread; memory growing to OOM kills in cart gets a rollout restart.
 */

const SIGNING_SECRET = 'healing-proposals-e2e-signing-secret';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack | undefined;
let bot: InProcessBot | undefined;

afterEach(async () => {
  bot?.stop('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await slack?.close();
  await redis.flushdb();
});

describe.each([
  ['traffic-surge', /^R-\d+: scale catalogue to (\d+) replicas/],
  ['memory-leak', /^R-\d+: restart cart \(rollout restart\)/],
])('the %s scenario', (scenario, expected) => {
  it('posts the engine\'s fix in the incident thread with Approve and Reject', async () => {
    await redis.flushdb();
    slack = await startFakeSlack();
    bot = await startInProcessBot({
      slackApiUrl: slack.apiUrl,
      botToken: slack.botToken,
      signingSecret: SIGNING_SECRET,
      port: await freePort(),
      redisUrl: REDIS_URL,
      environment: { AIOPS_SCENARIO: scenario, AIOPS_SIM_SPEED: '60', AIOPS_SIM_START: '2026-11-24T14:55:00Z' },
    });
    const request = () => slack!.messages('#shop-web').find((message) => message.threadTs !== undefined && /^R-\d+: /.test(message.text));
    await until(() => request() !== undefined, `a request in the ${scenario} incident's thread`, 120_000);
    const posted = request()!;
    expect(posted.text).toMatch(expected);
    expect(JSON.stringify(posted.blocks)).toContain('remediation_approve');
    const root = slack.messages('#shop-web').find((message) => message.ts === posted.threadTs)!;
    expect(root.text).toMatch(/INC-\d+/);
    const replicas = expected.exec(posted.text)?.[1];
    // A scale-out names more pods than catalogue runs, within what one approval may set.
    if (replicas !== undefined) expect(JSON.stringify(posted.blocks)).toMatch(new RegExp(`replicas: (\\d+) → ${replicas}`));
  }, 150_000);
});
