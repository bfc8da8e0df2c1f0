import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { Catalogue, EscalationRule } from '../../src/catalogue.js';
import { sweepIncidentMessages } from '../../src/incidents/message-sweep.js';
import { createLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import { incidentMetadata } from '../../src/slack/find-incident-root.js';
import { IncidentNotifier, type IncidentNotifierDependencies } from '../../src/slack/incident-notifier.js';
import { IncidentAcknowledgements } from '../../src/state/incident-acknowledgements.js';
import { IncidentEscalations } from '../../src/state/incident-escalations.js';
import { IncidentOutbox } from '../../src/state/incident-outbox.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { catalogue as exampleCatalogue, detectorAlert, managerAlert, MINUTE, T0 } from '../alerts/builders.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The notifier against real Redis and the fake Slack over HTTP: what reaches a channel when Slack
 * fails, when a poster died mid-post, and under the catalogue's noise controls. Each test has
 * its own key prefix, so tests never see each other's incidents.
 */

const { redis } = await testRedis();
let slack: FakeSlack;

interface World {
  /** The keys' prefix, for a test that plays a fault on them. */
  prefix: string;
  store: IncidentStore;
  outbox: IncidentOutbox;
  acknowledgements: IncidentAcknowledgements;
  notifier: IncidentNotifier;
  /** The incident use cases' message sweep over the same stores and clocks, as the bot runs it beside the notifier. */
  sweep(): Promise<void>;
  /** The incidents' clock and the wall clock, moved by hand. */
  clock: { now: number; wall: number };
  ingest(alerts: Alert[]): Promise<void>;
}

function world(alerting: Partial<Catalogue['alerting']> = {}, attachment?: IncidentNotifierDependencies['attachment'], resolution?: IncidentNotifierDependencies['resolution'], services = exampleCatalogue.services): World {
  const prefix = `test:notifier:${randomUUID()}:`;
  const catalogue: Catalogue = { ...exampleCatalogue, services, alerting: { ...exampleCatalogue.alerting, ...alerting } };
  const clock = { now: T0, wall: Date.now() };
  const store = new IncidentStore(redis, prefix, catalogue, { wallClock: () => clock.wall });
  const outbox = new IncidentOutbox(redis, prefix);
  const acknowledgements = new IncidentAcknowledgements(redis, prefix);
  const escalations = new IncidentEscalations(redis, prefix);
  const logger = createLogger({ level: 'silent' });
  const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const notifier = new IncidentNotifier(client, {
    incidents: store,
    outbox,
    acknowledgements,
    escalations,
    catalogue,
    pacer: new ChannelPacer(0),
    now: () => clock.now,
    wallClock: () => clock.wall,
    logger,
    attachment,
    resolution,
  });
  return {
    prefix,
    store,
    outbox,
    acknowledgements,
    notifier,
    sweep: () => sweepIncidentMessages({ stores: { incidents: store, outbox, acknowledgements, escalations }, catalogue, now: () => clock.now, wallClock: () => clock.wall, logger }),
    clock,
    // The store marks its changes in the outbox as it writes them.
    ingest: async (alerts) => void (await store.ingest(alerts, clock.now)),
  };
}

/** Root messages (not thread replies) about one incident, as a channel member sees them. */
function rootsOf(incidentId: string) {
  return slack.messages().filter((message) => message.threadTs === undefined && message.text.includes(incidentId));
}

function repliesTo(channel: string, ts: string) {
  return slack.thread(channel, ts).slice(1);
}

const critical = (service: string, at: number) => detectorAlert(service, ['error_rate'], at, 'critical');

afterAll(() => {
  redis.disconnect();
});

describe('incident notifier', () => {
  let w: World;
  // A Slack of its own per test: every test's first incident is INC-1.
  beforeEach(async () => {
    slack = await startFakeSlack();
    w = world();
  });
  afterEach(async () => {
    await slack.close();
  });

  it('posts a critical incident at once in its origin service’s channel, then edits it and notes joins in its thread', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    const [root] = rootsOf('INC-1');
    expect(root?.channel).toBe('#shop-payments');

    w.clock.now += MINUTE;
    await w.ingest([critical('checkout', T0 + MINUTE)]);
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(1);
    expect(rootsOf('INC-1')[0]!.updateCount).toBe(1);
    expect(rootsOf('INC-1')[0]!.text).toMatch(/2 of 2 alerts firing/);
    expect(repliesTo(root!.channel, root!.ts).map((reply) => reply.text)).toEqual([expect.stringMatching(/Joined: checkout/)]);
    expect(await w.outbox.size()).toBe(0);
  });

  it('links the runbook the catalogue gives the incident\'s service in its root message', async () => {
    const runbook = 'https://wiki.example.com/runbooks/payment';
    w = world({}, undefined, undefined, { ...exampleCatalogue.services, payment: { ...exampleCatalogue.services.payment!, runbook } });
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    expect(JSON.stringify(rootsOf('INC-1')[0]?.blocks)).toContain(`📖 Runbook: <${runbook}|payment>`);
  });

  it('tells the thread once about alerts that joined together, not once per alert', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    const [root] = rootsOf('INC-1');
    w.clock.now += MINUTE;
    await w.ingest([critical('checkout', T0 + MINUTE), detectorAlert('checkout', ['latency_p95'], T0 + MINUTE), detectorAlert('payment', ['latency_p95'], T0 + MINUTE)]);
    await w.notifier.drain();
    const replies = repliesTo(root!.channel, root!.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^➕ 3 alerts joined:/);
  });

  it('loses nothing to a Slack outage: the incident stays due, backs off, and posts once Slack answers again', async () => {
    slack.failNext('chat.postMessage', { status: 503, times: 2 });
    await w.ingest([critical('cart', T0)]);
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(0);
    expect(await w.outbox.size()).toBe(1);

    // Not due before its backoff ends, so a drain now calls nobody.
    const calls = slack.calls('chat.postMessage').length;
    await w.notifier.drain();
    expect(slack.calls('chat.postMessage')).toHaveLength(calls);

    for (let round = 0; round < 5 && rootsOf('INC-1').length === 0; round++) {
      w.clock.wall += 10_000;
      await w.notifier.drain();
    }
    expect(rootsOf('INC-1')).toHaveLength(1);
    expect(rootsOf('INC-1')[0]!.channel).toBe('#shop-web');
    expect(await w.outbox.size()).toBe(0);
  });

  it('pauses as a whole while Slack is out, and then sends every incident that waited at once, each channel in the order they came due', async () => {
    await slack.outage('unavailable');
    await w.ingest([critical('cart', T0)]);
    await w.notifier.drain();
    expect(slack.calls('chat.postMessage')).toHaveLength(1);

    // Within its pause nothing is tried, whatever comes due meanwhile.
    w.clock.wall += 500;
    await w.ingest([critical('user', T0)]);
    await w.ingest([critical('catalogue', T0)]);
    await w.notifier.drain();
    expect(slack.calls('chat.postMessage')).toHaveLength(1);

    // Past it, one call per channel finds Slack still out (refusing connections now); the pause doubles.
    await slack.outage('refused');
    w.clock.wall += 1_000;
    await w.notifier.drain();
    w.clock.wall += 1_500;
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(0);

    await slack.restore();
    w.clock.wall += 1_000;
    await w.notifier.drain();
    expect(slack.messages('#shop-web').map((message) => /INC-\d+/.exec(message.text)?.[0])).toEqual(['INC-1', 'INC-3']);
    expect(rootsOf('INC-2').map((message) => message.channel)).toEqual(['#shop-identity']);
    expect(rootsOf('INC-4').map((message) => message.channel)).toEqual(['#shop-payments']);
    expect(await w.outbox.size()).toBe(0);
    // Slack answers again: the next failure starts from a short pause.
    await slack.outage('unavailable');
    w.clock.now += MINUTE;
    await w.ingest([detectorAlert('payment', ['latency_p95'], T0 + MINUTE, 'critical')]);
    await w.notifier.drain();
    await slack.restore();
    w.clock.wall += 1_000;
    await w.notifier.drain();
    expect(repliesTo('#shop-payments', rootsOf('INC-4')[0]!.ts).map((reply) => reply.text)).toEqual([expect.stringMatching(/Joined: payment/)]);
  });

  it('leaves a channel to the process syncing one of its incidents, so a second bot replica cannot post the next one first', async () => {
    await w.ingest([critical('cart', T0)]);
    await w.ingest([critical('catalogue', T0)]);
    await w.ingest([critical('user', T0)]);
    let release!: () => void;
    const elsewhere = w.outbox.exclusively('INC-1', 15_000, () => new Promise<void>((resolve) => (release = resolve)));
    await w.notifier.drain();
    // INC-2 waits behind INC-1 in #shop-web; INC-3's channel is free.
    expect(rootsOf('INC-2')).toHaveLength(0);
    expect(rootsOf('INC-3')).toHaveLength(1);
    release();
    await elsewhere;
    await w.notifier.drain();
    expect(slack.messages('#shop-web').map((message) => /INC-\d+/.exec(message.text)?.[0])).toEqual(['INC-1', 'INC-2']);
  });

  it('puts off only the incident whose call Slack refuses for its own reason, and posts the others meanwhile', async () => {
    slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    await w.ingest([critical('cart', T0)]);
    await w.notifier.drain();
    await w.ingest([critical('user', T0)]);
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(0);
    expect(rootsOf('INC-2')).toHaveLength(1);
    // Its own backoff, 1 s: not tried again before.
    const calls = slack.calls('chat.postMessage').length;
    w.clock.wall += 500;
    await w.notifier.drain();
    expect(slack.calls('chat.postMessage')).toHaveLength(calls);
    w.clock.wall += 600;
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(1);
  });

  it('still posts an incident that ended during a Slack outage, as resolved, and never one that ended within its group wait', async () => {
    slack.failNext('chat.postMessage', { status: 503, times: 1 });
    await w.ingest([critical('cart', T0)]);
    await w.notifier.drain();
    w.clock.now += 10 * MINUTE;
    await w.ingest([{ ...critical('cart', T0), status: 'resolved', endsAt: T0 + 10 * MINUTE, receivedAt: T0 + 10 * MINUTE }]);
    w.clock.wall += 10_000;
    await w.notifier.drain();
    expect(rootsOf('INC-1').map((message) => message.text)).toEqual([expect.stringMatching(/^Resolved INC-1 on cart/)]);

    await w.ingest([detectorAlert('user', ['latency_p95'], T0 + 10 * MINUTE, 'warning')]);
    await w.ingest([{ ...detectorAlert('user', ['latency_p95'], T0 + 10 * MINUTE, 'warning'), status: 'resolved', endsAt: T0 + 10 * MINUTE + 5_000, receivedAt: T0 + 10 * MINUTE + 5_000 }]);
    w.clock.now += MINUTE;
    await w.sweep();
    await w.notifier.drain();
    expect(rootsOf('INC-2')).toHaveLength(0);
  });

  it('waits out a 429 for as long as Slack asks, then posts the thread note it owed', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    const [root] = rootsOf('INC-1');

    slack.failNext('chat.update', { status: 429, retryAfterSeconds: 30 });
    w.clock.now += MINUTE;
    await w.ingest([critical('checkout', T0 + MINUTE)]);
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts)).toHaveLength(0);

    w.clock.wall += 20_000;
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts)).toHaveLength(0);

    w.clock.wall += 11_000;
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts).map((reply) => reply.text)).toEqual([expect.stringMatching(/Joined: checkout/)]);
  });

  it('finds the root message a poster sent before dying, instead of posting a second one', async () => {
    await w.ingest([critical('payment', T0)]);
    // A poster that died between posting and recording: its attempt is written down, the message is in Slack.
    await w.store.markPosting('INC-1', { channel: '#shop-payments', at: w.clock.wall });
    const client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl });
    const orphan = await client.chat.postMessage({ channel: '#shop-payments', text: 'INC-1 (posted by a process that died)', metadata: incidentMetadata('INC-1') });

    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(1);
    expect(await w.store.message('INC-1')).toEqual({ channel: '#shop-payments', ts: orphan.ts });
    expect(rootsOf('INC-1')[0]!.text).toMatch(/Critical INC-1 on payment/);
  });

  it('posts a root message again when an attempt left no message in Slack', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.store.markPosting('INC-1', { channel: '#shop-payments', at: w.clock.wall });
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(1);
  });

  it('posts anyway when Slack refuses the history lookup (an app without channels:history)', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.store.markPosting('INC-1', { channel: '#shop-payments', at: w.clock.wall });
    slack.failNext('conversations.list', { error: 'missing_scope' });
    await w.notifier.drain();
    expect(rootsOf('INC-1')).toHaveLength(1);
  });

  it('tells a thread note once when Redis failed after Slack took it, even as more alerts join meanwhile', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    const [root] = rootsOf('INC-1');
    w.clock.now += MINUTE;
    await w.ingest([critical('checkout', T0 + MINUTE)]);
    // Slack has the reply, then the write that forgets the note fails (Redis went away at that moment).
    vi.spyOn(w.outbox, 'dropNotes').mockRejectedValueOnce(new Error('Connection is closed.'));
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts)).toHaveLength(1);

    w.clock.now += MINUTE;
    await w.ingest([critical('cart', T0 + 2 * MINUTE)]);
    w.clock.wall += 60_000;
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts).map((reply) => reply.text)).toEqual([expect.stringMatching(/Joined: checkout/), expect.stringMatching(/Joined: cart/)]);
    expect(await w.outbox.notes('INC-1')).toEqual([]);
    expect(await w.outbox.size()).toBe(0);
  });

  it('posts a thread note whose interrupted attempt never reached Slack', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.notifier.drain();
    const [root] = rootsOf('INC-1');
    w.clock.now += MINUTE;
    await w.ingest([critical('checkout', T0 + MINUTE)]);
    slack.failNext('chat.postMessage', { status: 503 });
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts)).toEqual([]);
    expect(await w.outbox.notePosting('INC-1')).toMatchObject({ count: 1 });

    w.clock.wall += 60_000;
    await w.notifier.drain();
    expect(repliesTo(root!.channel, root!.ts).map((reply) => reply.text)).toEqual([expect.stringMatching(/Joined: checkout/)]);
    expect(await w.outbox.notePosting('INC-1')).toBeUndefined();
  });

  it('repairs a message older than its incident: a resolve whose outbox mark was lost is shown by the next sweep', async () => {
    await w.ingest([critical('payment', T0)]);
    await w.outbox.touch('INC-1', w.clock.wall);
    await w.notifier.drain();
    expect(rootsOf('INC-1').map((root) => root.text)).toEqual([expect.stringMatching(/^Critical INC-1/)]);

    // Resolved, but its mark lost (an older version wrote the mark separately, and that write failed).
    w.clock.now += 5 * MINUTE;
    await w.store.resolve('INC-1', 'U0DAVE', w.clock.now);
    await redis.zrem(`${w.prefix}slack:outbox`, 'INC-1');
    await redis.del(`${w.prefix}slack:outbox:INC-1:notes`);
    await w.notifier.drain();
    expect(rootsOf('INC-1')[0]!.text).toMatch(/^Critical INC-1/);

    await w.sweep();
    await w.notifier.drain();
    expect(rootsOf('INC-1').map((root) => root.text)).toEqual([expect.stringMatching(/^Resolved INC-1/)]);
    // Once shown, the sweep leaves it alone.
    const updates = rootsOf('INC-1')[0]!.updateCount;
    await w.sweep();
    await w.notifier.drain();
    expect(rootsOf('INC-1')[0]!.updateCount).toBe(updates);
    expect(await w.outbox.size()).toBe(0);
  });

  it('holds a warning incident for its group wait, then posts it from the sweep', async () => {
    const held = world({ groupWait: { warning: 2 * MINUTE } });
    await held.ingest([detectorAlert('cart', ['latency_p95'], T0, 'warning')]);
    await held.notifier.drain();
    expect(rootsOf('INC-1').filter((message) => message.channel === '#shop-web')).toHaveLength(0);

    held.clock.now += 2 * MINUTE;
    await held.sweep();
    await held.notifier.drain();
    expect(await held.store.message('INC-1')).toBeDefined();
  });

  it('keeps an incident quiet during a maintenance window of its services, and posts it when the window ends', async () => {
    const maintained = world({ maintenance: [{ services: ['database'], start: T0 - MINUTE, end: T0 + 30 * MINUTE, reason: 'Postgres upgrade' }] });
    await maintained.ingest([critical('database', T0)]);
    await maintained.notifier.drain();
    maintained.clock.now += 10 * MINUTE;
    await maintained.sweep();
    await maintained.notifier.drain();
    expect(await maintained.store.message('INC-1')).toBeUndefined();

    maintained.clock.now = T0 + 30 * MINUTE;
    await maintained.sweep();
    await maintained.notifier.drain();
    expect(await maintained.store.message('INC-1')).toEqual(expect.objectContaining({ channel: '#shop-platform' }));
  });

  it('escalates an unacknowledged incident by rule once: raised severity on the message and the on-call called in the thread', async () => {
    const rule: EscalationRule = { name: 'unacknowledged 15 min', minimumSeverity: 'warning', unacknowledgedFor: 15 * MINUTE, raiseTo: 'critical', notify: '<!subteam^S0ONCALL1>' };
    const escalating = world({ escalation: [rule], groupWait: { warning: 0 } });
    await escalating.ingest([detectorAlert('shipping', ['latency_p95'], T0, 'warning')]);
    await escalating.notifier.drain();
    const message = await escalating.store.message('INC-1');
    expect(message).toBeDefined();

    escalating.clock.now += 14 * MINUTE;
    await escalating.sweep();
    await escalating.notifier.drain();
    expect(repliesTo(message!.channel, message!.ts)).toHaveLength(0);

    escalating.clock.now += 2 * MINUTE;
    await escalating.sweep();
    await escalating.sweep();
    await escalating.notifier.drain();
    const replies = repliesTo(message!.channel, message!.ts);
    expect(replies.map((reply) => reply.text)).toEqual([expect.stringContaining('<!subteam^S0ONCALL1>')]);
    const root = slack.messages(message!.channel).find((candidate) => candidate.ts === message!.ts);
    expect(root?.text).toMatch(/^Critical INC-1/);
  });

  it('does not escalate an incident someone acknowledged', async () => {
    const rule: EscalationRule = { name: 'unacknowledged 5 min', minimumSeverity: 'info', unacknowledgedFor: 5 * MINUTE, notify: '<!here>' };
    const escalating = world({ escalation: [rule] });
    await escalating.ingest([critical('user', T0)]);
    await escalating.notifier.drain();
    await escalating.acknowledgements.acknowledge('INC-1', { by: 'U0SRE0001', at: T0 + MINUTE });
    escalating.clock.now += 10 * MINUTE;
    await escalating.sweep();
    await escalating.notifier.drain();
    const message = await escalating.store.message('INC-1');
    expect(repliesTo(message!.channel, message!.ts)).toHaveLength(0);
  });

  it('posts the attachment once in a new incident’s thread, and never again on later syncs', async () => {
    const calls: string[] = [];
    const attached = world({}, async (incident) => {
      calls.push(incident.id);
      return { text: 'Top log templates of payment', blocks: [] };
    });
    await attached.ingest([critical('payment', T0)]);
    await attached.notifier.drain();
    attached.clock.now += MINUTE;
    await attached.ingest([critical('checkout', T0 + MINUTE)]);
    await attached.notifier.drain();
    const message = await attached.store.message('INC-1');
    expect(repliesTo(message!.channel, message!.ts).map((reply) => reply.text)).toEqual(['Top log templates of payment', expect.stringMatching(/Joined: checkout/)]);
    expect(calls).toEqual(['INC-1']);
  });

  it('closes a resolved incident\'s thread with its summary, and with the short note when the summary cannot be built', async () => {
    const summarised = world({}, undefined, async (incident) => (incident.services.includes('payment') ? { text: `Summary of ${incident.id}: resolved, root cause payment`, blocks: [] } : Promise.reject(new Error('cluster unreachable'))));
    await summarised.ingest([critical('payment', T0)]);
    summarised.clock.now += 30 * MINUTE;
    await summarised.ingest([critical('shipping', T0 + 30 * MINUTE)]);
    await summarised.notifier.drain();
    for (const id of ['INC-1', 'INC-2']) {
      summarised.clock.now += MINUTE;
      await summarised.store.resolve(id, 'U0DAVE', summarised.clock.now);
    }
    await summarised.notifier.drain();
    const first = await summarised.store.message('INC-1');
    const second = await summarised.store.message('INC-2');
    expect(repliesTo(first!.channel, first!.ts).map((reply) => reply.text)).toEqual(['Summary of INC-1: resolved, root cause payment']);
    expect(repliesTo(second!.channel, second!.ts).map((reply) => reply.text)).toEqual([expect.stringMatching(/^✅ Resolved after \d+ min by <@U0DAVE>$/)]);
  });

  it('routes an incident naming no catalogued service to the default channel', async () => {
    const routed = world({ defaultChannel: '#ops-alerts' });
    await routed.ingest([managerAlert({ fingerprint: 'node-disk', name: 'NodeDiskFull', status: 'firing', severity: 'critical', startsAt: T0, receivedAt: T0, summary: 'node-7 disk 97% full' })]);
    await routed.notifier.drain();
    expect(await routed.store.message('INC-1')).toEqual(expect.objectContaining({ channel: '#ops-alerts' }));
  });
});
