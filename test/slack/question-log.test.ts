import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { GroupDirectory } from '../../src/access/group-directory.js';
import { createLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import { answerInThread } from '../../src/slack/listeners/events/answer-in-thread.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { EXAMPLE_USER_GROUPS } from '../fakes/slack.js';
import { TextCollector } from '../support/cli-harness.js';
import { testRedis } from '../support/test-redis.js';

/**
 * A question's log lines carry one id (issue 18: structured logs with a correlation id per
 * question), from "question received" through the investigation to "question answered", and two
 * questions get two ids: grep the id and the whole story of one answer is there.
 */

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const FAULT_START = Date.UTC(2026, 10, 24, 15, 0);
const { redis } = await testRedis();
const prefix = `test:${randomUUID()}:`;

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

describe('a question in Slack', () => {
  it('logs a question from receipt to answer under one id (the investigation logs under it too), and another question under another', async () => {
    const clock = new ManualClock(FAULT_START + 20 * 60_000);
    const sources = createSimulatedSources(catalogue, { clock, seed: 21, scenario: 'db-pool-exhaustion', faultStart: FAULT_START });
    const stores = createStores(redis, prefix, { catalogue });
    const log = new TextCollector();
    const logger = createLogger({ level: 'info', destination: log });
    const groups: GroupDirectory = { members: async (group) => new Set(EXAMPLE_USER_GROUPS[group] ?? []) };
    const answers = { catalogue, cluster: sources.cluster, metrics: sources.metrics, logs: sources.logs, anomalies: { since: async () => [] }, now: () => clock.now() };
    const services = {
      catalogue,
      groups,
      channels: { isMember: async () => false },
      investigation: { answers, logger },
      stores,
      now: () => clock.now(),
      pacer: new ChannelPacer(),
      logger,
    } as unknown as SlackServices;
    let posted = 0;
    const client = {
      chat: {
        postMessage: async () => ({ ok: true, ts: `1764000000.00000${(posted += 1)}` }),
        update: async () => ({ ok: true }),
        postEphemeral: async () => ({ ok: true }),
      },
    } as unknown as Parameters<typeof answerInThread>[0];

    await answerInThread(client, { channel: 'C0ORDERS', threadTs: '1764000000.000100', text: 'why is order-service slow?', asker: 'U0SRE' }, services);
    await answerInThread(client, { channel: 'C0ORDERS', threadTs: '1764000000.000200', text: 'why is checkout failing?', asker: 'U0SRE' }, services);

    const lines = log.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; questionId?: string });
    const received = lines.filter((line) => line.msg === 'question received');
    const answered = lines.filter((line) => line.msg === 'question answered');
    expect(received).toHaveLength(2);
    expect(answered).toHaveLength(2);
    const [first, second] = received.map((line) => line.questionId);
    expect(first).toMatch(/^Q-[0-9a-f]{8}$/);
    expect(second).not.toBe(first);
    expect(answered.map((line) => line.questionId)).toEqual([first, second]);
  });
});
