import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { sweepIncidentMessages } from '../../src/incidents/message-sweep.js';
import { createLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import { IncidentNotifier } from '../../src/slack/incident-notifier.js';
import { IncidentAcknowledgements } from '../../src/state/incident-acknowledgements.js';
import { IncidentEscalations } from '../../src/state/incident-escalations.js';
import { IncidentOutbox } from '../../src/state/incident-outbox.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { catalogue, detectorAlert, MINUTE, T0 } from '../alerts/builders.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { testRedis } from '../support/test-redis.js';

/**
 * Issue 13, point 3, as people see it: when an alert bridges two open incidents, the newer one's
 * message is edited to point at the survivor, and each thread gets one note saying so and why.
 * Real Redis (the store, the outbox) and the fake Slack over HTTP.
 */

const { redis } = await testRedis();
let slack: FakeSlack;

function world() {
  const prefix = `test:merge-notes:${randomUUID()}:`;
  const clock = { now: T0, wall: Date.now() };
  const store = new IncidentStore(redis, prefix, catalogue, { wallClock: () => clock.wall });
  const outbox = new IncidentOutbox(redis, prefix);
  const messageStores = { incidents: store, outbox, acknowledgements: new IncidentAcknowledgements(redis, prefix), escalations: new IncidentEscalations(redis, prefix) };
  const notifier = new IncidentNotifier(new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true }), {
    ...messageStores,
    catalogue,
    pacer: new ChannelPacer(0),
    now: () => clock.now,
    wallClock: () => clock.wall,
    logger: createLogger({ level: 'silent' }),
  });
  // The store marks its changes in the outbox in the transaction that writes them.
  const ingest = async (alerts: Alert[]) => {
    clock.now = alerts[0]!.receivedAt;
    await store.ingest(alerts, clock.now);
    await notifier.drain();
  };
  // The incident use cases' message sweep, as the bot runs it beside the notifier.
  const sweep = () => sweepIncidentMessages({ stores: messageStores, catalogue, now: () => clock.now, wallClock: () => clock.wall, logger: createLogger({ level: 'silent' }) });
  return { store, outbox, notifier, ingest, sweep };
}

function rootOf(incidentId: string) {
  const roots = slack.messages().filter((message) => message.threadTs === undefined && JSON.stringify(message.metadata ?? {}).includes(`"${incidentId}"`));
  expect(roots).toHaveLength(1);
  return roots[0]!;
}

function repliesTo(message: { channel: string; ts: string }): string[] {
  return slack.thread(message.channel, message.ts).slice(1).map((reply) => reply.text);
}

afterAll(() => {
  redis.disconnect();
});

describe('merged incidents in Slack', () => {
  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    await slack.close();
  });

  it('edits the merged incident’s message to point at the survivor and notes the merge in both threads', async () => {
    const w = world();
    await w.ingest([detectorAlert('database', ['latency_p95'], T0, 'critical')]);
    await w.ingest([detectorAlert('cache', ['error_rate'], T0 + MINUTE, 'critical')]);
    const survivor = rootOf('INC-1');
    const merged = rootOf('INC-2');

    await w.ingest([detectorAlert('order-service', ['error_rate'], T0 + 2 * MINUTE, 'critical')]);

    expect(rootOf('INC-2').text).toBe('Merged INC-2 on cache into INC-1');
    expect(JSON.stringify(rootOf('INC-2').blocks)).not.toContain('aiops_incident_resolve');
    expect(repliesTo(merged)).toEqual([expect.stringMatching(/^🔀 Merged into \*INC-1\*, where its alerts and updates continue: .*order-service calls cache \(INC-2\)/)]);
    expect(repliesTo(survivor)).toEqual([expect.stringMatching(/^🔀 \*INC-2\* merged into this: .*order-service calls database \(INC-1\)/), expect.stringMatching(/Joined/)]);
    expect(rootOf('INC-1').text).toMatch(/3 of 3 alerts firing/);
    expect(await w.outbox.size()).toBe(0);
    expect((await w.store.get('INC-2'))).toMatchObject({ status: 'resolved', mergedInto: 'INC-1' });
  });

  it('never posts an incident merged away during its group wait', async () => {
    const w = world();
    await w.ingest([detectorAlert('database', ['latency_p95'], T0, 'critical')]);
    // A warning waits 30 s for company before it is posted; the bridge comes first.
    await w.ingest([detectorAlert('cache', ['error_rate'], T0 + 10_000, 'warning')]);
    await w.ingest([detectorAlert('order-service', ['error_rate'], T0 + 20_000, 'warning')]);
    await w.sweep();
    await w.notifier.drain();
    expect(slack.messages().filter((message) => message.threadTs === undefined && JSON.stringify(message.metadata ?? {}).includes('"INC-2"'))).toHaveLength(0);
    expect(repliesTo(rootOf('INC-1'))[0]).toMatch(/^🔀 \*INC-2\* merged into this/);
  });
});
