/**
 * The alert storm, variant (a): 50 services nobody catalogued, grouped per service by Alertmanager
 * (`group_by: [service]`), through the whole pipeline into Slack. Expected: one incident per group,
 * named after it, no alert dropped. (`npm run bench:storm` is the catalogued cascade; this is its
 * variant for Alertmanager's grouping, issue 13 point 1.)
 *
 *   npm run bench:storm:groups [-- --seed 42 --redis URL (default: a private redis-server)]
 *
 * The workload, all seeded: each service `probe-svc-N` fires 2–6 alerts whose names are shared by
 * every service (ProbeFailed, HighLatency, ...: the worst case for grouping by alert name), with
 * no summary annotation, each starting in the first 20 minutes and lasting 15–40. Alertmanager
 * sends each group 30 s after its first alert and every 5 minutes (group_interval) while anything
 * in it fires, and once more after the last resolve; a notification carries the group's firing
 * and just-resolved alerts, cut to `max_alerts: 4` (the rest counted in `truncatedAlerts`). An HA
 * pair: both Alertmanagers send every notification, each to one of two bot replicas (two
 * IncidentStores on their own Redis connections), 0–3 s apart.
 *
 * Replay in virtual time as fast as the pipeline allows, as `bench/alert-storm.ts` does: 10 s
 * slices, every delivery of a slice in flight at once, both replicas settling every virtual
 * minute and for 45 minutes after, the notifier sweeping every slice and draining throughout.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { parseAlertmanagerWebhook } from '../src/alerts/alertmanager.js';
import type { IncidentChange } from '../src/alerts/correlate.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../src/catalogue.js';
import { sweepIncidentMessages } from '../src/incidents/message-sweep.js';
import { createLogger } from '../src/logger.js';
import { ChannelPacer } from '../src/slack/channel-pacer.js';
import { INCIDENT_EVENT_TYPE } from '../src/slack/find-incident-root.js';
import { IncidentNotifier } from '../src/slack/incident-notifier.js';
import { IncidentAcknowledgements } from '../src/state/incident-acknowledgements.js';
import { IncidentEscalations } from '../src/state/incident-escalations.js';
import { IncidentOutbox } from '../src/state/incident-outbox.js';
import { IncidentStore } from '../src/state/incident-store.js';
import { startFakeSlack } from '../test/fakes/slack.js';
import { benchmarkRedis } from '../test/support/redis-server.js';
import { seededRandom, seededShuffle } from '../test/support/seeded-random.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '42' }, redis: { type: 'string' } } });
const seed = Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error('bench:storm:groups: expected --seed <integer>');
  process.exit(2);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const SERVICES = 50;
const ALERT_NAMES = ['ProbeFailed', 'HighLatency', 'TargetDown', 'HighErrorRate', 'CertificateExpiringSoon', 'SlowResponses'] as const;
const MAX_ALERTS = 4;
const GROUP_WAIT = 30 * SECOND;
const GROUP_INTERVAL = 5 * MINUTE;
const MAX_JITTER_MILLISECONDS = 3 * SECOND;
const SLICE_MILLISECONDS = 10 * SECOND;
const TAIL_SETTLE_MINUTES = 45;
const BASE = Date.UTC(2026, 0, 1, 0, 0, 0);
const EXTERNAL_URL = 'http://alertmanager.monitoring:9093';

const random = seededRandom(seed);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const iso = (time: number) => new Date(time).toISOString();

// The example shop's catalogue, with the catch-all channel uncatalogued incidents go to.
const example = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const catalogue: Catalogue = { ...example, alerting: { ...example.alerting, defaultChannel: '#ops-alerts' } };

// 1. The alerts of each group, and the notifications Alertmanager sends for it.
interface ProbeAlert {
  name: string;
  labels: Record<string, string>;
  start: number;
  end: number;
}
interface Delivery {
  body: unknown;
  replica: 0 | 1;
  arrival: number;
}
const deliveries: Delivery[] = [];
/** Group (service) of each fingerprint delivered at least once. */
const groupOf = new Map<string, string>();
const everyFingerprint = new Set<string>();
const truncatedGroups = new Set<string>();
let notifications = 0;
for (let index = 1; index <= SERVICES; index++) {
  const service = `probe-svc-${index}`;
  const names = seededShuffle(ALERT_NAMES, random).slice(0, between(2, 6));
  const alerts: ProbeAlert[] = names.map((name) => {
    const start = BASE + between(0, 20 * 60) * SECOND;
    return { name, labels: { alertname: name, service, cluster: 'eu-1', namespace: 'probes', severity: random() < 0.3 ? 'critical' : 'warning' }, start, end: start + between(15 * 60, 40 * 60) * SECOND };
  });
  // Alertmanager lists a group's alerts in label order: the same ones are cut every time.
  alerts.sort((left, right) => left.name.localeCompare(right.name));
  for (const alert of alerts) everyFingerprint.add(fingerprintOf(alert));
  const firstStart = Math.min(...alerts.map((alert) => alert.start));
  const lastEnd = Math.max(...alerts.map((alert) => alert.end));
  for (let at = firstStart + GROUP_WAIT; at < lastEnd + GROUP_INTERVAL; at += GROUP_INTERVAL) {
    const shown = alerts.filter((alert) => alert.start <= at && alert.end > at - GROUP_INTERVAL);
    if (shown.length === 0) continue;
    const included = shown.slice(0, MAX_ALERTS);
    if (shown.length > MAX_ALERTS) truncatedGroups.add(service);
    const body = {
      version: '4',
      groupKey: `{}/{}:{service="${service}"}`,
      truncatedAlerts: shown.length - included.length,
      status: shown.some((alert) => alert.end > at) ? 'firing' : 'resolved',
      receiver: 'aiops',
      groupLabels: { service },
      commonLabels: { service, cluster: 'eu-1', namespace: 'probes' },
      commonAnnotations: {},
      externalURL: EXTERNAL_URL,
      alerts: included.map((alert) => ({
        status: alert.end > at ? 'firing' : 'resolved',
        labels: alert.labels,
        annotations: {},
        startsAt: iso(alert.start),
        endsAt: alert.end > at ? '0001-01-01T00:00:00Z' : iso(alert.end),
        generatorURL: `http://prometheus.monitoring:9090/graph?g0.expr=probe_success%7Bservice%3D%22${service}%22%7D`,
      })),
    };
    notifications += 1;
    for (const alert of included) groupOf.set(fingerprintOf(alert), service);
    for (const replica of [0, 1] as const) deliveries.push({ body, replica, arrival: at + Math.floor(random() * MAX_JITTER_MILLISECONDS) });
  }
}
deliveries.sort((left, right) => left.arrival - right.arrival);
const lastArrival = deliveries.at(-1)!.arrival;

function fingerprintOf(alert: ProbeAlert): string {
  const body = { version: '4', groupKey: 'x', status: 'firing', receiver: 'x', alerts: [{ status: 'firing', labels: alert.labels, startsAt: iso(alert.start) }] };
  return parseAlertmanagerWebhook(body, catalogue, BASE)[0]!.fingerprint;
}

// 2. The replay: two replicas, each its own connection and store, and a bot draining the outbox into Slack.
const redisServer = await benchmarkRedis(values.redis);
const prefix = `bench-storm-groups:${randomUUID()}:`;
const connections = [new Redis(redisServer.url, { maxRetriesPerRequest: 1 }), new Redis(redisServer.url, { maxRetriesPerRequest: 1 })];
const stores = connections.map((connection) => new IncidentStore(connection, prefix, catalogue));
const botConnection = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const botStore = new IncidentStore(botConnection, prefix, catalogue);
const outbox = new IncidentOutbox(botConnection, prefix);
const slack = await startFakeSlack();
let virtualNow = BASE;
const botStores = { incidents: botStore, outbox, acknowledgements: new IncidentAcknowledgements(botConnection, prefix), escalations: new IncidentEscalations(botConnection, prefix) };
/** The incident use cases' message sweep, as the bot runs it beside the notifier. */
const sweep = () => sweepIncidentMessages({ stores: botStores, catalogue, now: () => virtualNow, wallClock: Date.now, logger: createLogger({ level: 'silent' }) });
const notifier = new IncidentNotifier(new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true }), {
  ...botStores,
  catalogue,
  pacer: new ChannelPacer(),
  now: () => virtualNow,
  logger: createLogger({ level: 'silent' }),
});
const changes: IncidentChange[] = [];
const latencies: number[] = [];
let failures = 0;
let draining = true;
const drainer = (async () => {
  while (draining) {
    await notifier.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
})();
let wallSeconds: number;
let incidents: Awaited<ReturnType<IncidentStore['all']>>;
try {
  const started = process.hrtime.bigint();
  let next = 0;
  const settleAll = async (now: number) => {
    for (const changed of await Promise.all(stores.map((store) => store.settle(now)))) changes.push(...changed);
  };
  for (let slice = BASE; slice <= lastArrival; slice += SLICE_MILLISECONDS) {
    virtualNow = slice;
    if ((slice - BASE) % MINUTE === 0) await settleAll(slice);
    await sweep();
    const batch: Delivery[] = [];
    while (next < deliveries.length && deliveries[next]!.arrival < slice + SLICE_MILLISECONDS) batch.push(deliveries[next++]!);
    await Promise.all(
      batch.map(async (delivery) => {
        const callStarted = process.hrtime.bigint();
        try {
          // The store marks its changes in the outbox in the transaction that writes them.
          changes.push(...(await stores[delivery.replica]!.ingest(parseAlertmanagerWebhook(delivery.body, catalogue, delivery.arrival), delivery.arrival)));
        } catch {
          failures += 1;
        }
        latencies.push(Number(process.hrtime.bigint() - callStarted) / 1e6);
      }),
    );
  }
  const tail = Math.ceil((lastArrival - BASE) / MINUTE) * MINUTE + BASE;
  for (let minute = 0; minute <= TAIL_SETTLE_MINUTES; minute++) {
    virtualNow = tail + minute * MINUTE;
    await settleAll(virtualNow);
    await sweep();
  }
  wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  draining = false;
  await drainer;
  while ((await outbox.size()) > 0) {
    await notifier.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  incidents = await botStore.all();
} finally {
  draining = false;
  let cursor = '0';
  do {
    const [nextCursor, keys] = await connections[0]!.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await connections[0]!.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  await Promise.all([...stores, botStore].map((store) => store.close()));
  await Promise.all([...connections, botConnection].map((connection) => connection.quit()));
  await slack.close();
  await redisServer.stop();
}

// 3. Against the groups.
const opened = new Set(changes.filter((change) => change.kind === 'opened' && !change.reopened && change.incidentId).map((change) => change.incidentId!));
const live = incidents.filter((incident) => incident.mergedInto === undefined);
const groupsOfIncident = new Map(live.map((incident) => [incident.id, new Set(Object.keys(incident.alerts).map((fingerprint) => groupOf.get(fingerprint)))]));
const incidentsOfGroup = new Map<string, Set<string>>();
for (const incident of live) for (const fingerprint of Object.keys(incident.alerts)) incidentsOfGroup.set(groupOf.get(fingerprint)!, new Set([...(incidentsOfGroup.get(groupOf.get(fingerprint)!) ?? []), incident.id]));
const splitGroups = [...incidentsOfGroup.values()].filter((ids) => ids.size > 1).length;
const mixed = [...groupsOfIncident.values()].filter((groups) => groups.size > 1).length;
const reached = new Set(live.flatMap((incident) => Object.keys(incident.alerts)));
const lost = [...groupOf.keys()].filter((fingerprint) => !reached.has(fingerprint)).length;
const neverDelivered = [...everyFingerprint].filter((fingerprint) => !groupOf.has(fingerprint)).length;
const stillOpen = incidents.filter((incident) => incident.status === 'open').length;
const roots = slack.messages().filter((message) => message.threadTs === undefined);
const incidentOf = (message: { metadata?: unknown }) => {
  const metadata = message.metadata as { event_type?: string; event_payload?: { incident_id?: string } } | undefined;
  return metadata?.event_type === INCIDENT_EVENT_TYPE ? metadata.event_payload?.incident_id : undefined;
};
const named = roots.filter((message) => {
  const group = [...(groupsOfIncident.get(incidentOf(message) ?? '') ?? [])][0];
  return group !== undefined && message.text.includes(`on service=${group}`) && JSON.stringify(message.blocks).includes(`· service=${group}`);
}).length;
const unknownTitles = roots.filter((message) => JSON.stringify(message.blocks).includes('unknown service')).length;
const toldTruncated = new Set(
  slack
    .calls()
    .filter((call) => (call.method === 'chat.postMessage' || call.method === 'chat.update') && call.body.thread_ts === undefined && JSON.stringify(call.body.blocks ?? '').includes('Alertmanager left out'))
    .map((call) => incidentOf({ metadata: call.body.metadata })),
);
const sorted = [...latencies].sort((left, right) => left - right);
const percentile = (rank: number) => sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] ?? Number.NaN;
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

console.log(
  [
    `date: ${new Date().toISOString()}  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB  Node ${process.version}  seed ${seed}`,
    `world: ${SERVICES} uncatalogued services, one Alertmanager group each (group_by: [service]); ${everyFingerprint.size} alerts on ${ALERT_NAMES.length} shared alert names, no summaries; ${notifications} notifications (max_alerts ${MAX_ALERTS}) × 2 Alertmanagers = ${deliveries.length} deliveries; last at ${((lastArrival - BASE) / MINUTE).toFixed(1)} min virtual`,
    '',
    '| measure | value | target |',
    '|---|---:|---|',
    `| incidents opened (distinct ids of 'opened', reopenings excluded) | ${opened.size} | = groups (${SERVICES}): ${met(opened.size === SERVICES)} |`,
    `| groups split over two or more incidents | ${splitGroups} | 0: ${met(splitGroups === 0)} |`,
    `| incidents mixing two groups | ${mixed} | 0: ${met(mixed === 0)} |`,
    `| alerts delivered that are in no incident (dropped) | ${lost} of ${groupOf.size} | 0: ${met(lost === 0)} |`,
    `| alerts Alertmanager cut in every notification (max_alerts), never seen | ${neverDelivered} | told on the message |`,
    `| groups cut by max_alerts at some point / incidents whose message said "Alertmanager left out …" when drawn | ${truncatedGroups.size} / ${toldTruncated.size} | (a message shows the latest notification's cut; most are drawn after the storm, at Slack's pace) |`,
    `| ingest calls that failed | ${failures} | 0: ${met(failures === 0)} |`,
    `| incidents still open after the storm and ${TAIL_SETTLE_MINUTES} min of settling | ${stillOpen} | 0: ${met(stillOpen === 0)} |`,
    `| Slack root messages | ${roots.length} | = groups: ${met(roots.length === SERVICES)} |`,
    `| root messages naming their group ("service=probe-svc-N" in the title, "… on service=probe-svc-N" in the text) | ${named} | = groups: ${met(named === SERVICES)} |`,
    `| root messages titled "unknown service" | ${unknownTitles} | 0: ${met(unknownTitles === 0)} |`,
    `| ingest throughput (parse + correlate + outbox, two replicas, notifier alongside) | ${(deliveries.length / wallSeconds).toFixed(0)} deliveries/s (${wallSeconds.toFixed(1)} s) | |`,
    `| ingest latency per delivery | p50 ${percentile(50).toFixed(2)} ms, p99 ${percentile(99).toFixed(2)} ms | |`,
  ].join('\n'),
);
