/**
 * An alert storm through the whole alert pipeline: Alertmanager webhook parsing, dedup and
 * correlation in Redis (`IncidentStore.ingest`), the durable Slack outbox, and the incident
 * notifier posting to a fake Slack over real HTTP (test/fakes/slack.ts, paced at Slack's one
 * message per second per channel), fed by two Alertmanager replicas at once.
 *
 *   npm run bench:storm [-- --seed 42 --incidents 6 --redis URL (default: a private redis-server)]
 *
 * The world, all seeded (no Math.random): 50 services in 5 layers of 10, each calling 2–3
 * services in the layer below at neighbouring positions. K independent incidents, each starting at
 * a leaf-ish service at a random minute and cascading up to some of its callers a few minutes
 * apart; incidents are kept apart in the graph (no shared or neighbouring services), so the truth
 * is unambiguous and comes from the generator, not the pipeline. Every affected service fires
 * several alerts (HighErrorRate for the service, others per pod), re-sent every 30 s while firing (Alertmanager's repeat), some flapping, all
 * resolved by the end. Every notification is delivered 1–3 times, each copy to one of two
 * replicas (two IncidentStores on their own Redis connections) with 0–3 s of jitter.
 *
 * Replay in virtual time, as fast as the pipeline allows: deliveries in arrival order, in 10 s
 * slices; within a slice every delivery of a replica is in flight at once, as at a webhook
 * endpoint receiving faster than it commits (the store commits concurrent calls together, in
 * call order), both replicas concurrently; each delivery is parsed, ingested and its changes
 * queued in the outbox before it counts as done. Both replicas settle every virtual minute, as
 * the bot's timer does, and for 45 minutes after the last delivery so flapping incidents calm
 * down. The notifier sweeps every virtual slice (the bot's 10 s sweep) and drains the outbox throughout, in the same process (so it costs the ingest
 * CPU, as a bot's would), on the virtual clock; at the end it drains until the outbox is empty.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { parseAlertmanagerWebhook } from '../src/alerts/alertmanager.js';
import type { Incident, IncidentChange } from '../src/alerts/correlate.js';
import { neighboursOf } from '../src/alerts/origin.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue, type CatalogueService } from '../src/catalogue.js';
import { sweepIncidentMessages } from '../src/incidents/message-sweep.js';
import { createLogger } from '../src/logger.js';
import { ChannelPacer } from '../src/slack/channel-pacer.js';
import { INCIDENT_EVENT_TYPE } from '../src/slack/find-incident-root.js';
import { IncidentNotifier } from '../src/slack/incident-notifier.js';
import { IncidentAcknowledgements } from '../src/state/incident-acknowledgements.js';
import { IncidentEscalations } from '../src/state/incident-escalations.js';
import { IncidentOutbox } from '../src/state/incident-outbox.js';
import { IncidentStore } from '../src/state/incident-store.js';
import { WebClient } from '@slack/web-api';
import { startFakeSlack } from '../test/fakes/slack.js';
import { benchmarkRedis } from '../test/support/redis-server.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    incidents: { type: 'string', default: '6' },
    redis: { type: 'string' },
  },
});
const seed = Number(values.seed);
const incidentCount = Number(values.incidents);
if (!Number.isInteger(seed) || !Number.isInteger(incidentCount) || incidentCount < 1 || incidentCount > 10) {
  console.error('bench:storm: expected --seed <integer> and --incidents <1..10>');
  process.exit(2);
}

const redisServer = await benchmarkRedis(values.redis);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const LAYERS = ['edge', 'api', 'domain', 'data', 'infra'] as const;
const WIDTH = 10;
const REPEAT_MILLISECONDS = 30 * SECOND;
const MAX_JITTER_MILLISECONDS = 3 * SECOND;
const SLICE_MILLISECONDS = 10 * SECOND;
const TAIL_SETTLE_MINUTES = 45;
/** Besides the service-wide HighErrorRate, each pod of an affected service fires some of these. */
const ALERT_NAMES = ['HighLatency', 'PodRestarts', 'CPUSaturation', 'MemoryPressure', 'QueueBacklog'] as const;
const PODS = 2;
const PRIMARY_ALERT = 'HighErrorRate';
/** Virtual time starts here, so runs are repeatable. */
const BASE = Date.UTC(2026, 0, 1, 0, 0, 0);

/** mulberry32: small, seeded, good enough for a workload. */
function prng(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const shuffled = <T>(items: readonly T[]): T[] => {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
};

// 1. The catalogue: 5 layers of 10, each service calling 2–3 of its neighbours in the layer below.
const serviceName = (layer: number, column: number) => `${LAYERS[layer]}-${column}`;
const example = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const services: Record<string, CatalogueService> = {};
for (let layer = 0; layer < LAYERS.length; layer++) {
  for (let column = 0; column < WIDTH; column++) {
    const below = layer + 1 < LAYERS.length ? [column - 1, column, column + 1].filter((c) => c >= 0 && c < WIDTH) : [];
    const dependencies = shuffled(below).slice(0, between(2, 3)).sort((l, r) => l - r).map((c) => serviceName(layer + 1, c));
    const name = serviceName(layer, column);
    services[name] = { name, namespace: `${LAYERS[layer]}`, deployment: name, team: `team-${column % 5}`, channel: `#${LAYERS[layer]}-alerts`, dependencies, aliases: [] };
  }
}
const catalogue: Catalogue = { prometheus: example.prometheus, elasticsearch: example.elasticsearch, alerting: example.alerting, services, teams: {}, access: example.access, healing: example.healing };
const callersOf = (service: string) => Object.values(services).filter((candidate) => candidate.dependencies.includes(service)).map((s) => s.name);

// 2. The incidents, kept apart in the graph: no service of one is, or neighbours, a service of another.
interface TrueIncident {
  index: number;
  origin: string;
  start: number;
  end: number;
  /** Affected services and when each started failing. */
  onsets: Map<string, number>;
}
const truths: TrueIncident[] = [];
const blocked = new Set<string>();
for (let attempt = 0; truths.length < incidentCount; attempt++) {
  if (attempt > 200_000) throw new Error(`bench:storm: could not place ${incidentCount} separate incidents; try another --seed`);
  if (attempt % 500 === 499) {
    // Stuck: the early picks left no room. Start the placement again.
    truths.length = 0;
    blocked.clear();
  }
  const roll = random();
  const layer = roll < 0.6 ? 4 : roll < 0.85 ? 3 : 2;
  const origin = serviceName(layer, between(0, WIDTH - 1));
  const duration = between(24, 36) * MINUTE;
  const start = BASE + between(0, Math.floor((HOUR - duration) / MINUTE) - 1) * MINUTE;
  const onsets = new Map([[origin, start]]);
  let frontier = [origin];
  let onset = start;
  for (let hop = 0; hop < between(1, Math.min(layer, 3)); hop++) {
    const callers = shuffled([...new Set(frontier.flatMap(callersOf))].filter((caller) => !onsets.has(caller)));
    frontier = callers.slice(0, between(1, 2));
    onset += between(60, 180) * SECOND;
    for (const caller of frontier) onsets.set(caller, onset);
    if (frontier.length === 0) break;
  }
  if ([...onsets.keys()].some((service) => blocked.has(service))) continue;
  for (const service of onsets.keys()) {
    blocked.add(service);
    for (const neighbour of neighboursOf(service, catalogue)) blocked.add(neighbour);
  }
  truths.push({ index: truths.length, origin, start, end: start + duration, onsets });
}

// 3. The alerts: episodes per alert, re-sent every 30 s while firing, resolved once per episode.
interface Delivery {
  /** The webhook body as Alertmanager sends it; parsed in the timed path. */
  body: unknown;
  replica: 0 | 1;
  arrival: number;
}
const deliveries: Delivery[] = [];
const truthOf = new Map<string, number>();
let notifications = 0;
let flappingAlerts = 0;
const iso = (time: number) => new Date(time).toISOString();
for (const truth of truths) {
  for (const [service, onset] of truth.onsets) {
    const isOrigin = service === truth.origin;
    const serviceEnd = isOrigin ? truth.end : truth.end - between(0, 120) * SECOND;
    const pods = Array.from({ length: PODS }, (_, pod) => `${service}-7d9f-${pod}`);
    const names = [[PRIMARY_ALERT, undefined] as const, ...shuffled(ALERT_NAMES).slice(0, between(3, 4)).flatMap((name) => pods.map((pod) => [name, pod] as const))];
    for (const [name, pod] of names) {
      const primary = name === PRIMARY_ALERT;
      const first = primary ? onset : onset + between(0, 90) * SECOND;
      const last = primary ? serviceEnd : serviceEnd - between(0, 60) * SECOND;
      const episodes: [number, number][] = [];
      if (!primary && random() < 0.3) {
        flappingAlerts += 1;
        let cursor = first;
        for (let flap = 0; flap < 3 && cursor + 6 * MINUTE < last; flap++) {
          const stop = cursor + between(120, 240) * SECOND;
          episodes.push([cursor, stop]);
          cursor = stop + between(60, 150) * SECOND;
        }
        if (cursor < last) episodes.push([cursor, last]);
      } else {
        episodes.push([first, last]);
      }
      const labels: Record<string, string> = { alertname: name, service, namespace: services[service]!.namespace, severity: primary ? 'critical' : 'warning', cluster: 'prod' };
      if (pod !== undefined) labels.pod = pod;
      let fingerprint = '';
      const send = (status: 'firing' | 'resolved', at: number, startsAt: number, endsAt?: number) => {
        notifications += 1;
        const body = {
          version: '4',
          groupKey: `{}:{service="${service}"}`,
          // The group's status, as Alertmanager computes it: firing while any alert of the group
          // fires. The primary alert spans the service's whole trouble, so only its resolve ends the group.
          status: primary ? status : 'firing',
          receiver: 'aiops',
          alerts: [{ status, labels, annotations: { summary: `${name} on ${service}` }, startsAt: iso(startsAt), endsAt: endsAt === undefined ? '0001-01-01T00:00:00Z' : iso(endsAt) }],
        };
        for (let copy = between(1, 3); copy > 0; copy--) {
          const arrival = at + Math.floor(random() * MAX_JITTER_MILLISECONDS);
          fingerprint = parseAlertmanagerWebhook(body, catalogue, arrival)[0]!.fingerprint;
          deliveries.push({ body, replica: random() < 0.5 ? 0 : 1, arrival });
        }
      };
      for (const [from, to] of episodes) {
        for (let at = from; at < to; at += REPEAT_MILLISECONDS) send('firing', at, from);
        send('resolved', to, from, to);
      }
      truthOf.set(fingerprint, truth.index);
    }
  }
}
deliveries.sort((left, right) => left.arrival - right.arrival);
const lastArrival = deliveries.at(-1)!.arrival;

/**
 * The baseline for the ratio, in the same run: the same deliveries, each replica ingesting them one
 * call at a time (no concurrent calls, so no group commit), ingest and settling only, under a
 * prefix of its own. Returns deliveries per second.
 */
async function serialIngestBaseline(): Promise<number> {
  const baselinePrefix = `bench-storm-baseline:${randomUUID()}:`;
  const baselineConnections = [new Redis(redisServer.url, { maxRetriesPerRequest: 1 }), new Redis(redisServer.url, { maxRetriesPerRequest: 1 })];
  const baselineStores = baselineConnections.map((connection) => new IncidentStore(connection, baselinePrefix, catalogue));
  try {
    const started = process.hrtime.bigint();
    let next = 0;
    for (let slice = BASE; slice <= lastArrival; slice += SLICE_MILLISECONDS) {
      if ((slice - BASE) % MINUTE === 0) await Promise.all(baselineStores.map((store) => store.settle(slice)));
      const batch: Delivery[] = [];
      while (next < deliveries.length && deliveries[next]!.arrival < slice + SLICE_MILLISECONDS) batch.push(deliveries[next++]!);
      await Promise.all(
        baselineStores.map(async (store, replica) => {
          for (const delivery of batch.filter((candidate) => candidate.replica === replica)) await store.ingest(parseAlertmanagerWebhook(delivery.body, catalogue, delivery.arrival), delivery.arrival);
        }),
      );
    }
    return deliveries.length / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await deletePrefix(baselineConnections[0]!, baselinePrefix);
    await Promise.all(baselineStores.map((store) => store.close()));
    await Promise.all(baselineConnections.map((connection) => connection.quit()));
  }
}

async function deletePrefix(connection: Redis, keyPrefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [nextCursor, keys] = await connection.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await connection.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
}

const serialThroughput = await serialIngestBaseline();

// 4. The replay: two replicas, each its own connection and store, under a fresh prefix, and a bot draining the outbox into Slack.
const prefix = `bench-storm:${randomUUID()}:`;
const connections = [new Redis(redisServer.url, { maxRetriesPerRequest: 1 }), new Redis(redisServer.url, { maxRetriesPerRequest: 1 })];
const stores = connections.map((connection) => new IncidentStore(connection, prefix, catalogue));
const outboxes = connections.map((connection) => new IncidentOutbox(connection, prefix));
const botConnection = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const slack = await startFakeSlack();
let virtualNow = BASE;
const botStores = {
  incidents: new IncidentStore(botConnection, prefix, catalogue),
  outbox: new IncidentOutbox(botConnection, prefix),
  acknowledgements: new IncidentAcknowledgements(botConnection, prefix),
  escalations: new IncidentEscalations(botConnection, prefix),
};
const notifier = new IncidentNotifier(new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true }), {
  ...botStores,
  catalogue,
  pacer: new ChannelPacer(),
  now: () => virtualNow,
  logger: createLogger({ level: 'silent' }),
});
/** The incident use cases' message sweep, as the bot runs it beside the notifier. */
const sweep = () => sweepIncidentMessages({ stores: botStores, catalogue, now: () => virtualNow, wallClock: Date.now, logger: createLogger({ level: 'silent' }) });
const changes: IncidentChange[] = [];
const latencies: number[] = [];
let failures = 0;
const ingestOne = async (replica: number, delivery: Delivery) => {
  const started = process.hrtime.bigint();
  try {
    const alerts = parseAlertmanagerWebhook(delivery.body, catalogue, delivery.arrival);
    // The store marks the outbox in the same transaction as the change, as in the bot.
    const changed = await stores[replica]!.ingest(alerts, delivery.arrival);
    changes.push(...changed);
  } catch {
    failures += 1;
  }
  latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
};
const settleAll = async (now: number) => {
  await Promise.all(
    stores.map(async (store) => {
      const changed = await store.settle(now);
      changes.push(...changed);
    }),
  );
};

let incidents: Incident[];
let wallSeconds: number;
let drainSeconds: number;
let draining = true;
// The bot's drain timer, in real time as the bot's is (every 100 ms here, as changes would wake it).
const drainer = (async () => {
  while (draining) {
    await notifier.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
})();
try {
  const started = process.hrtime.bigint();
  let next = 0;
  for (let slice = BASE; slice <= lastArrival; slice += SLICE_MILLISECONDS) {
    virtualNow = slice;
    if ((slice - BASE) % MINUTE === 0) await settleAll(slice);
    // The bot sweeps every 10 s for incidents whose group wait ended: every slice of virtual time here.
    await sweep();
    const batch: Delivery[] = [];
    while (next < deliveries.length && deliveries[next]!.arrival < slice + SLICE_MILLISECONDS) batch.push(deliveries[next++]!);
    await Promise.all(batch.map((delivery) => ingestOne(delivery.replica, delivery)));
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
  const drainStarted = process.hrtime.bigint();
  while ((await outboxes[0]!.size()) > 0) {
    await notifier.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  drainSeconds = Number(process.hrtime.bigint() - drainStarted) / 1e9;
  incidents = await stores[0]!.all();
} finally {
  draining = false;
  await deletePrefix(connections[0]!, prefix);
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([...connections, botConnection].map((connection) => connection.quit()));
  await slack.close();
  await redisServer.stop();
}

// 5. Against the truth.
const opened = new Set(changes.filter((change) => change.kind === 'opened' && !change.reopened && change.incidentId).map((change) => change.incidentId!));
const reopenings = changes.filter((change) => change.kind === 'opened' && change.reopened).length;
const truthsOfIncident = new Map(incidents.map((incident) => [incident.id, new Set(Object.keys(incident.alerts).map((fingerprint) => truthOf.get(fingerprint)!))]));
const order = (incident: Incident) => [incident.firstSeen, Number(incident.id.replace(/\D/g, ''))] as const;
const earlier = (left: Incident, right: Incident) => order(left)[0] < order(right)[0] || (order(left)[0] === order(right)[0] && order(left)[1] < order(right)[1]);
// A duplicate: an opened incident every one of whose true incidents already had an earlier opened incident.
const duplicates = incidents.filter((incident) =>
  opened.has(incident.id) &&
  [...truthsOfIncident.get(incident.id)!].every((truth) => incidents.some((other) => other !== incident && opened.has(other.id) && truthsOfIncident.get(other.id)!.has(truth) && earlier(other, incident))),
).length;
const mixed = incidents.filter((incident) => truthsOfIncident.get(incident.id)!.size > 1).length;
const reached = new Set(incidents.flatMap((incident) => Object.keys(incident.alerts)));
const lost = [...truthOf.keys()].filter((fingerprint) => !reached.has(fingerprint)).length;
const stillOpen = incidents.filter((incident) => incident.status === 'open').length;
const sorted = [...latencies].sort((left, right) => left - right);
const percentile = (rank: number) => sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] ?? Number.NaN;
const throughput = deliveries.length / wallSeconds;
const slackMessages = slack.messages();
const rootMessages = slackMessages.filter((message) => message.threadTs === undefined);
const threadPosts = slackMessages.length - rootMessages.length;
const edits = slack.calls('chat.update').filter((call) => call.status === 200).length;
const rootsPerIncident = new Map<string, number>();
for (const message of rootMessages) {
  const incidentId = (message.metadata as { event_type?: string; event_payload?: { incident_id?: string } } | undefined)?.event_type === INCIDENT_EVENT_TYPE ? (message.metadata as { event_payload: { incident_id: string } }).event_payload.incident_id : 'unknown';
  rootsPerIncident.set(incidentId, (rootsPerIncident.get(incidentId) ?? 0) + 1);
}
const secondRoots = [...rootsPerIncident.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

const lines = [
  `date: ${new Date().toISOString()}  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB  Node ${process.version}  seed ${seed}`,
  `world: ${Object.keys(services).length} services in ${LAYERS.length} layers of ${WIDTH}; ${truths.length} incidents (origins ${truths.map((truth) => `${truth.origin}@${(truth.start - BASE) / MINUTE}m/${truth.onsets.size} svc`).join(', ')}); ${truthOf.size} alerts (${flappingAlerts} flapping); ${notifications} notifications; last delivery at ${((lastArrival - BASE) / MINUTE).toFixed(1)} min virtual`,
  '',
  '| measure | value | target |',
  '|---|---:|---|',
  `| raw deliveries (notifications × 1–3 copies, two replicas) | ${deliveries.length} | ≥ 10,000 |`,
  `| distinct alerts (fingerprints) | ${truthOf.size} | |`,
  `| incidents opened (distinct ids of 'opened', reopenings excluded) | ${opened.size} | = true incidents: ${met(opened.size === truths.length)} |`,
  `| true independent incidents (from the generator) | ${truths.length} | |`,
  `| duplicate incidents | ${duplicates} | 0: ${met(duplicates === 0)} |`,
  `| incidents mixing alerts of two true incidents | ${mixed} | 0: ${met(mixed === 0)} |`,
  `| reopenings (not counted as opened) | ${reopenings} | |`,
  `| alerts lost (fingerprints in no incident) | ${lost} | 0: ${met(lost === 0)} |`,
  `| ingest calls that failed | ${failures} | 0: ${met(failures === 0)} |`,
  `| incidents still open after the storm and ${TAIL_SETTLE_MINUTES} min of settling | ${stillOpen} | 0: ${met(stillOpen === 0)} |`,
  `| Slack root messages posted | ${rootMessages.length} | = true incidents: ${met(rootMessages.length === truths.length)} |`,
  `| incidents with a second root message | ${secondRoots} | 0: ${met(secondRoots === 0)} |`,
  `| Slack edits of root messages (chat.update) | ${edits} | |`,
  `| Slack thread posts | ${threadPosts} | |`,
  `| noise reduction (raw deliveries per root message) | ${(deliveries.length / Math.max(1, rootMessages.length)).toFixed(0)} : 1 | |`,
  `| Slack calls in all (posts + edits) | ${slackMessages.length + edits} (${(deliveries.length / Math.max(1, slackMessages.length + edits)).toFixed(0)} deliveries per call) | |`,
  `| outbox drained after the replay in | ${drainSeconds.toFixed(1)} s (Slack pacing: 1 message/s/channel) | |`,
  `| ingest throughput (parse + dedup/correlate + outbox, two replicas together, wall time incl. settles, notifier draining alongside) | ${throughput.toFixed(0)} deliveries/s (${wallSeconds.toFixed(1)} s) | ≥ 1,000/s: ${met(throughput >= 1000)} |`,
  `| baseline in the same run: one ingest call at a time per replica, no group commit, ingest + settles only | ${serialThroughput.toFixed(0)} deliveries/s | |`,
  `| ratio, full pipeline with concurrent calls / serial ingest-only baseline | ${(throughput / serialThroughput).toFixed(2)}× | |`,
  `| ingest latency per delivery | p50 ${percentile(50).toFixed(2)} ms, p99 ${percentile(99).toFixed(2)} ms, max ${sorted.at(-1)?.toFixed(1)} ms | |`,
];
console.log(lines.join('\n'));
