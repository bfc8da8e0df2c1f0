/**
 * The alert storm, variant (b): one storm over the 10 catalogued services of the example shop,
 * delivered in 100 shuffled orders through the incident store in Redis. Expected: the same
 * incidents every time (the same alerts in each, the same likely origin, so the same channel),
 * whatever the order (issue 13 point 3).
 *
 *   npm run bench:storm:shuffled [-- --seed 42 --runs 100 --redis URL (default: a private redis-server)]
 *
 * The storm: the database and the cache start failing at the same minute (a tie only evidence can
 * break: the database's alert is critical), their callers a minute or two later, checkout and the
 * frontend last; 2–3 alerts per service, grouped per service by Alertmanager (`group_by:
 * [service]`), each group's notification sent 3 times (group_interval), the last one cut to its
 * first alert (max_alerts). Each run delivers every notification in a seeded shuffled order, 2 s
 * apart in virtual time, 8 in flight at once (as at a webhook endpoint; the store commits
 * concurrent calls together), into a fresh key prefix, then reads the incidents.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { parseAlertmanagerWebhook } from '../src/alerts/alertmanager.js';
import type { IncidentChange } from '../src/alerts/correlate.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../src/catalogue.js';
import { IncidentStore } from '../src/state/incident-store.js';
import { benchmarkRedis } from '../test/support/redis-server.js';
import { seededRandom, seededShuffle } from '../test/support/seeded-random.js';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '42' }, runs: { type: 'string', default: '100' }, redis: { type: 'string' } } });
const seed = Number(values.seed);
const runs = Number(values.runs);
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1) {
  console.error('bench:storm:shuffled: expected --seed <integer> and --runs <positive integer>');
  process.exit(2);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const BASE = Date.UTC(2026, 0, 1, 0, 0, 0);
const IN_FLIGHT = 8;
const example = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const catalogue: Catalogue = { ...example, alerting: { ...example.alerting, defaultChannel: '#ops-alerts' } };

// 1. The storm: per service, its alerts as [name, severity, minutes after BASE it began].
const STORM: Record<string, Array<[string, 'critical' | 'warning', number]>> = {
  database: [['DatabaseSlowQueries', 'critical', 0], ['DatabaseConnectionsHigh', 'warning', 1]],
  cache: [['CacheEvictions', 'warning', 0], ['CacheLatencyHigh', 'warning', 1]],
  'order-service': [['HighErrorRate', 'critical', 2], ['HighLatency', 'warning', 2]],
  payment: [['HighErrorRate', 'critical', 2], ['HighLatency', 'warning', 3]],
  shipping: [['HighLatency', 'warning', 2], ['QueueBacklog', 'warning', 3]],
  catalogue: [['HighLatency', 'warning', 2], ['HighErrorRate', 'warning', 3]],
  user: [['HighLatency', 'warning', 2]],
  cart: [['HighLatency', 'warning', 2], ['HighErrorRate', 'warning', 3], ['PodRestarts', 'warning', 4]],
  checkout: [['HighErrorRate', 'critical', 3], ['HighLatency', 'warning', 3]],
  frontend: [['HighErrorRate', 'critical', 4], ['ApdexLow', 'warning', 4]],
};
const notifications: unknown[] = [];
for (const [service, alerts] of Object.entries(STORM)) {
  const body = (shown: typeof alerts, truncatedAlerts: number) => ({
    version: '4',
    groupKey: `{}/{}:{service="${service}"}`,
    truncatedAlerts,
    status: 'firing',
    receiver: 'aiops',
    groupLabels: { service },
    commonLabels: { service, namespace: 'shop' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts: shown.map(([name, severity, minute]) => ({
      status: 'firing',
      labels: { alertname: name, service, namespace: 'shop', severity },
      annotations: {},
      startsAt: new Date(BASE + minute * MINUTE).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
    })),
  });
  notifications.push(body(alerts, 0), body(alerts, 0), body(alerts.slice(0, 1), alerts.length - 1));
}

/** The incidents of a run as people tell them apart: alerts, likely origin and channel; ids and times aside. */
function signatureOf(incidents: Awaited<ReturnType<IncidentStore['all']>>): string {
  return incidents
    .filter((incident) => incident.status === 'open')
    .map((incident) => {
      const origin = incident.origin ?? incident.services[0];
      const channel = (origin === undefined ? undefined : catalogue.services[origin]?.channel) ?? catalogue.alerting.defaultChannel;
      return `${origin ?? '-'} in ${channel}: ${Object.values(incident.alerts).map((alert) => alert.summary).sort().join(', ')}`;
    })
    .sort()
    .join(' | ');
}

// 2. The runs.
const redisServer = await benchmarkRedis(values.redis);
const connection = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const random = seededRandom(seed);
const signatures = new Map<string, number>();
const origins = new Map<string, number>();
const incidentCounts: number[] = [];
const mergeCounts: number[] = [];
const runMilliseconds: number[] = [];
let deliveries = 0;
try {
  for (let run = 0; run < runs; run++) {
    const prefix = `bench-storm-shuffled:${randomUUID()}:`;
    const store = new IncidentStore(connection, prefix, catalogue);
    const order = seededShuffle(notifications, random);
    const changes: IncidentChange[] = [];
    const started = process.hrtime.bigint();
    for (let start = 0; start < order.length; start += IN_FLIGHT) {
      const slice = order.slice(start, start + IN_FLIGHT);
      const answers = await Promise.all(
        slice.map((body, offset) => {
          const receivedAt = BASE + 5 * MINUTE + (start + offset) * 2 * SECOND;
          return store.ingest(parseAlertmanagerWebhook(body, catalogue, receivedAt), receivedAt);
        }),
      );
      for (const changed of answers) changes.push(...changed);
    }
    const incidents = await store.all();
    runMilliseconds.push(Number(process.hrtime.bigint() - started) / 1e6);
    deliveries += order.length;
    const signature = signatureOf(incidents);
    signatures.set(signature, (signatures.get(signature) ?? 0) + 1);
    const open = incidents.filter((incident) => incident.status === 'open');
    incidentCounts.push(open.length);
    for (const incident of open) origins.set(incident.origin ?? '-', (origins.get(incident.origin ?? '-') ?? 0) + 1);
    mergeCounts.push(changes.filter((change) => change.kind === 'merged').length);
    await store.close();
    const keys = await connection.keys(`${prefix}*`);
    if (keys.length > 0) await connection.del(...keys);
  }
} finally {
  await connection.quit();
  await redisServer.stop();
}

// 3. What the runs agree on.
const sortedTimes = [...runMilliseconds].sort((left, right) => left - right);
const median = sortedTimes[Math.floor(sortedTimes.length / 2)]!;
const alertCount = Object.values(STORM).reduce((sum, alerts) => sum + alerts.length, 0);
const met = (ok: boolean) => (ok ? 'met' : '**not met**');
const [mostCommon] = [...signatures.entries()].sort((left, right) => right[1] - left[1]);
console.log(
  [
    `date: ${new Date().toISOString()}  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB  Node ${process.version}  seed ${seed}`,
    `storm: ${Object.keys(STORM).length} catalogued services, ${alertCount} alerts in ${Object.keys(STORM).length} groups, ${notifications.length} notifications per run; ${runs} shuffled runs, ${deliveries} deliveries in all`,
    '',
    '| measure | value | target |',
    '|---|---:|---|',
    `| distinct outcomes over ${runs} orders (alerts per incident, likely origin, channel) | ${signatures.size} | 1: ${met(signatures.size === 1)} |`,
    `| open incidents per run | ${Math.min(...incidentCounts)}–${Math.max(...incidentCounts)} | the same every run: ${met(Math.min(...incidentCounts) === Math.max(...incidentCounts))} |`,
    `| likely origins named (incidents × runs) | ${[...origins.entries()].sort((left, right) => right[1] - left[1]).map(([origin, count]) => `${origin} ${count}`).join(', ')} | |`,
    `| merges per run (an alert bridging two open incidents) | ${Math.min(...mergeCounts)}–${Math.max(...mergeCounts)} | |`,
    `| runs with the most common outcome | ${mostCommon?.[1] ?? 0} of ${runs} | |`,
    `| time per run (${notifications.length} deliveries, ${IN_FLIGHT} in flight) | median ${median.toFixed(0)} ms, max ${sortedTimes.at(-1)!.toFixed(0)} ms | |`,
    '',
    `most common outcome: ${mostCommon?.[0] ?? ''}`,
  ].join('\n'),
);
