import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_EVENT_TYPE } from '../../src/slack/find-incident-root.js';
import { startFakeSlack, type FakeSlack, type SlackMessage } from '../fakes/slack.js';
import { startAiopsProcesses, type AiopsProcess } from '../support/aiops-process.js';
import { WEBHOOK_AUTHORIZATION, WEBHOOK_TOKEN } from '../support/alertmanager-webhook.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * Issue 18's "Slack down for a minute": `aiops bot` and `aiops worker` as processes of their own on a
 * Redis of the test's own, Slack through the fake. Slack goes out for a minute, answering 503 to
 * every call for the first half and refusing connections for the second; meanwhile Alertmanager
 * delivers alerts that open incidents in two channels and join incidents posted before and during
 * the outage, every delivery answered 200. Once Slack is back every alert reaches Slack, once each;
 * within each channel the incidents' root messages come in the order their first alerts were
 * accepted, a join of an incident posted before the outage is told in its thread after its root,
 * and a join of an incident not posted yet is told in its root; and all that soon after Slack
 * answers again, not whenever each incident's own backoff would have come round.
 */

const OUTAGE_MILLISECONDS = 60_000;
/**
 * How soon after Slack answers again the messages that waited must be there: the bot asks Slack
 * again at least every 15 s, then posts a second apart per channel (six posts and edits in the
 * busiest here). Each incident's own backoff would have taken up to a minute more.
 */
const DELIVERED_WITHIN_MILLISECONDS = 30_000;
const DEFAULT_CHANNEL = '#ops-alerts';
const WEB_CHANNEL = '#shop-web';

let server: RedisServer;
let slack: FakeSlack;
let processes: AiopsProcess[] = [];
let bot: AiopsProcess;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  slack = await startFakeSlack();
  // The simulated world at its own pace: its fault starts 5 minutes in, after this test.
  processes = await startAiopsProcesses(['bot', 'worker'], {
    environment: { REDIS_URL: server.url, SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: 'slack-outage-signing-secret', SLACK_API_URL: slack.apiUrl, ALERTMANAGER_WEBHOOK_TOKEN: WEBHOOK_TOKEN },
  });
  bot = processes[0]!;
}, 90_000);

afterAll(async () => {
  await slack?.restore();
  await Promise.all(processes.map((aiops) => aiops.stop()));
  await slack?.close();
  redis?.disconnect();
  await server?.stop();
}, 60_000);

interface Delivery {
  /** The alert's summary: what Slack must show once. */
  summary: string;
  /** The Alertmanager group, and so the incident, it belongs to. */
  group: string;
  channel: string;
}

/** Uncatalogued probes (each its own incident, in the catch-all channel) and two shop services of one channel that call neither each other nor a shared caller's incident. */
const channelOf = (group: string) => (group.startsWith('probe-') ? DEFAULT_CHANNEL : WEB_CHANNEL);

async function deliver(group: string, pod: string): Promise<Delivery> {
  const summary = `Outage test ${group} ${pod} failing`;
  const alert = {
    status: 'firing',
    labels: { alertname: group.startsWith('probe-') ? 'ProbeFailed' : 'HighErrorRate', service: group, namespace: 'shop', pod: `${group}-${pod}`, severity: 'critical' },
    annotations: { summary },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
  };
  const body = JSON.stringify({ version: '4', groupKey: `{}:{service="${group}"}`, status: 'firing', receiver: 'aiops', groupLabels: { service: group }, commonLabels: { service: group }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts: [alert] });
  const response = await fetch(`http://127.0.0.1:${bot.port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', ...WEBHOOK_AUTHORIZATION }, body, signal: AbortSignal.timeout(15_000) });
  expect(response.status, `delivery of ${summary}: ${await response.text()}`).toBe(200);
  return { summary, group, channel: channelOf(group) };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
/** What a message says (its text names every alert, as its blocks do). */
const shown = (message: SlackMessage) => message.text;
const incidentOf = (message: SlackMessage) => (message.metadata as { event_type?: string; event_payload?: { incident_id?: string } } | undefined);

/** Root messages of incidents, in the channel's order (ts). */
function roots(channel?: string): SlackMessage[] {
  return slack.messages(channel).filter((message) => message.threadTs === undefined && incidentOf(message)?.event_type === INCIDENT_EVENT_TYPE);
}

describe('Slack down for a minute (issue 18)', () => {
  it('posts every alert accepted meanwhile once Slack is back, once each, in the order accepted within each channel', async () => {
    // Before the outage: one incident posted, so a join during the outage is a thread reply.
    const before = await deliver('probe-alpha', 'a');
    await until(() => roots(DEFAULT_CHANNEL).some((root) => shown(root).includes(before.summary)), 'the incident posted before the outage', 30_000);
    const alphaRoot = roots(DEFAULT_CHANNEL).find((root) => shown(root).includes(before.summary))!;

    await slack.outage('unavailable');
    const outageStarted = Date.now();
    const at = (offset: number) => sleep(Math.max(0, outageStarted + offset - Date.now()));
    // Spread over the outage, so that incidents which failed first and those which failed last
    // would come due again at very different times.
    const during: Delivery[] = [];
    await at(1_000);
    const bravo = await deliver('probe-bravo', 'a');
    during.push(bravo);
    await at(6_000);
    during.push(await deliver('cart', 'a'));
    await at(12_000);
    // Joins the incident posted before the outage.
    const alphaJoin = await deliver('probe-alpha', 'b');
    during.push(alphaJoin);
    await at(18_000);
    during.push(await deliver('probe-charlie', 'a'));
    await at(24_000);
    during.push(await deliver('catalogue', 'a'));
    await at(OUTAGE_MILLISECONDS / 2);
    // The second half: Slack's address refuses connections.
    await slack.outage('refused');
    await at(33_000);
    // Joins an incident not posted yet.
    const bravoJoin = await deliver('probe-bravo', 'b');
    during.push(bravoJoin);
    await at(40_000);
    during.push(await deliver('probe-delta', 'a'));
    await at(47_000);
    during.push(await deliver('probe-echo', 'a'));
    await at(OUTAGE_MILLISECONDS);
    // Nothing got through meanwhile: the incident posted before is all the channels show.
    expect(roots().map((root) => root.ts)).toEqual([alphaRoot.ts]);
    expect(slack.messages().filter((message) => message.threadTs !== undefined).filter((reply) => during.some((delivery) => shown(reply).includes(delivery.summary)))).toEqual([]);
    await slack.restore();
    const restoredAt = Date.now();

    // Every alert in a root message: that of its incident, one root per incident.
    const everything = [before, ...during];
    const rootsShowing = (summary: string) => roots().filter((root) => shown(root).includes(summary));
    await until(() => everything.every((delivery) => rootsShowing(delivery.summary).length > 0), 'every alert accepted during the outage in Slack', DELIVERED_WITHIN_MILLISECONDS + 40_000).catch((error: Error) => {
      throw new Error(`${error.message}; missing: ${everything.filter((delivery) => rootsShowing(delivery.summary).length === 0).map((delivery) => delivery.summary).join(', ')}\n${bot.tail(30)}`);
    });
    const deliveredAfter = Date.now() - restoredAt;
    // The join of the incident posted before the outage is told in its thread, after its root.
    const joinNote = () => slack.thread(DEFAULT_CHANNEL, alphaRoot.ts).filter((reply) => reply.threadTs === alphaRoot.ts && shown(reply).includes(alphaJoin.summary));
    await until(() => joinNote().length > 0, 'the join told in the thread of the incident posted before the outage', 20_000);
    // Whatever else was still to go (edits, notes) has gone: the outbox is empty.
    await until(async () => (await redis.zcard('aiops:slack:outbox')) === 0, 'the outbox drained', 30_000);

    const byIncident = new Map<string, SlackMessage[]>();
    for (const root of roots()) byIncident.set(incidentOf(root)!.event_payload!.incident_id!, [...(byIncident.get(incidentOf(root)!.event_payload!.incident_id!) ?? []), root]);
    for (const [incident, messages] of byIncident) expect(messages, `root messages of ${incident}`).toHaveLength(1);
    for (const delivery of everything) {
      const showing = rootsShowing(delivery.summary);
      expect(showing, `roots showing ${delivery.summary}`).toHaveLength(1);
      expect(showing[0]!.channel, delivery.summary).toBe(delivery.channel);
      // Named once in it, not twice.
      expect(shown(showing[0]!).split(delivery.summary).length - 1, delivery.summary).toBe(1);
    }
    // The two alerts of a group share its incident.
    expect(rootsShowing(bravoJoin.summary)[0]!.ts).toBe(rootsShowing(bravo.summary)[0]!.ts);
    expect(rootsShowing(alphaJoin.summary)[0]!.ts).toBe(alphaRoot.ts);
    expect(joinNote()).toHaveLength(1);
    expect(Number(joinNote()[0]!.ts)).toBeGreaterThan(Number(alphaRoot.ts));
    // An incident first posted after the outage tells its joins in its root, not in a thread note of its own.
    const bravoRoot = rootsShowing(bravo.summary)[0]!;
    expect(slack.thread(DEFAULT_CHANNEL, bravoRoot.ts).filter((reply) => reply.threadTs === bravoRoot.ts && shown(reply).includes(bravoJoin.summary))).toEqual([]);

    // Within each channel, the incidents in the order their first alerts were accepted.
    for (const channel of [DEFAULT_CHANNEL, WEB_CHANNEL]) {
      const firstAccepted: string[] = [];
      for (const delivery of everything.filter((candidate) => candidate.channel === channel)) if (!firstAccepted.includes(delivery.group)) firstAccepted.push(delivery.group);
      const posted = roots(channel).map((root) => firstAccepted.find((group) => everything.some((delivery) => delivery.group === group && shown(root).includes(delivery.summary))));
      expect(posted, `root messages in ${channel}, in Slack's order`).toEqual(firstAccepted);
    }
    expect(deliveredAfter, `every alert in Slack ${deliveredAfter} ms after it answered again`).toBeLessThanOrEqual(DELIVERED_WITHIN_MILLISECONDS);
  }, 180_000);
});
