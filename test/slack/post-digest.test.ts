import { WebClient } from '@slack/web-api';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../src/catalogue.js';
import { silentLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import { postDueDigest } from '../../src/slack/post-digest.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { testRedis } from '../support/test-redis.js';

/** The daily digest through real Redis (two bot replicas) and the fake Slack Web API. */

const HOUR = 3_600_000;
const DIGEST_AT = Date.UTC(2026, 10, 25, 9, 0, 0);
const CHANNEL = 'C0DIGEST01';
const catalogue: Catalogue = { ...loadCatalogue(EXAMPLE_CATALOGUE_PATH), capacity: { targetUtilisation: 0.7, digest: { channel: CHANNEL, every: 'day', hourUtc: 9 } } };
const { redis } = await testRedis();
let slack: FakeSlack;

beforeAll(async () => {
  slack = await startFakeSlack();
});

afterAll(async () => {
  await slack.close();
  await redis.quit();
});

function replica(clock: ManualClock, prefix: string): { client: WebClient; services: SlackServices } {
  const sources = createSimulatedSources(catalogue, { clock, seed: 3 });
  const stores = createStores(redis, prefix, { catalogue });
  const services = {
    catalogue,
    investigation: { answers: { catalogue, metrics: sources.metrics, cluster: sources.cluster, now: () => clock.now() } },
    stores,
    now: () => clock.now(),
    pacer: new ChannelPacer(),
    logger: silentLogger(),
  } as unknown as SlackServices;
  return { client: new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl }), services };
}

describe('the scheduled digest', () => {
  it('is posted once per period however many replicas look, with the actions and capacity warnings of that period', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clock = new ManualClock(DIGEST_AT + 5 * 60_000);
    const [first, second] = [replica(clock, prefix), replica(clock, prefix)];
    await first.services.stores.audit.append({ at: DIGEST_AT - 2 * HOUR, actor: 'U0BOB', action: 'rollout-restart', target: 'cart', detail: 'restarted 3 pods; memory back to 210 MiB' });
    await first.services.stores.audit.append({ at: DIGEST_AT - 30 * HOUR, actor: 'U0BOB', action: 'scale', target: 'catalogue', detail: 'the day before: not in this digest' });
    await first.services.stores.forecasts.save({
      service: 'cart', signal: 'memory', generatedAt: DIGEST_AT, horizonHours: 168, model: 'level', backtestError: 1, current: 400e6, peak: 800e6, peakAt: DIGEST_AT + 40 * HOUR, average: 500e6,
      limit: 768 * 1024 * 1024, currentReplicas: 3, recommendedReplicas: 5, limitReachedAt: DIGEST_AT + 30 * HOUR, hourly: [],
    });

    const outcomes = await Promise.all([postDueDigest(first.client, first.services), postDueDigest(second.client, second.services)]);
    expect(outcomes.sort()).toEqual(['already-posted', 'posted']);
    expect(await postDueDigest(first.client, first.services)).toBe('already-posted');
    const posted = slack.messages(CHANNEL);
    expect(posted).toHaveLength(1);
    const text = JSON.stringify(posted[0]!.blocks);
    expect(posted[0]!.text).toMatch(/^AIOps daily digest, 2026-11-24 09:00 UTC – 2026-11-25 09:00 UTC: 0 incidents · 0 resolved · 1 action · 1 capacity warning/);
    expect(text).toContain('rollout-restart cart, restarted 3 pods');
    expect(text).not.toContain('the day before');
    expect(text).toMatch(/cart\*? memory reaches its limit/);
    expect(posted[0]!.blocks!.length).toBeLessThanOrEqual(50);

    // The next day's is due the next morning, not before.
    clock.set(DIGEST_AT + 3 * HOUR);
    expect(await postDueDigest(first.client, first.services)).toBe('already-posted');
    clock.set(DIGEST_AT + 24 * HOUR + 60_000);
    expect(await postDueDigest(second.client, second.services)).toBe('posted');
    expect(slack.messages(CHANNEL)).toHaveLength(2);
  }, 60_000);

  it('says nothing without a digest channel, and skips a digest the bot was down for', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clock = new ManualClock(DIGEST_AT + 7 * HOUR);
    const { client, services } = replica(clock, prefix);
    expect(await postDueDigest(client, services)).toBe('too-late');
    expect(await postDueDigest(client, { ...services, catalogue: { ...catalogue, capacity: { targetUtilisation: 0.7 } } })).toBe('not-configured');
  });
});
