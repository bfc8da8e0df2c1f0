/**
 * A soak: the product's own processes, in their default configuration, run for 30 real minutes of
 * accelerated simulated time with a fault every few minutes; their memory is sampled and every
 * fault is checked to give exactly one incident in Slack, resolved when its alerts resolve.
 *
 *   npm run -s bench:soak [-- --minutes 30 --fault-every 3 --firing 1 --repeat-every 20
 *                             --sample-every 30 --bot-rss-bound 512 --worker-rss-bound 1024
 *                             --redis-bound 64 --growth-bound 10
 *                             --output FILE --keep]
 *
 * Processes: a private `redis-server` (`--save "" --appendonly no`, a free port; never the Redis
 * on 6379), the fake Slack Web API (test/fakes/slack.ts), and `node --import tsx src/main.ts bot`
 * plus two `… worker` (each its own PORT, logs in files), with AIOPS_SIM_SPEED=60 (an hour of
 * simulated time per real minute), the example catalogue, HTTP-mode Slack settings on the bot and
 * ALERTMANAGER_WEBHOOK_TOKEN. The simulated world plays its default scenario (db-pool-exhaustion,
 * from 5 simulated minutes on), which the detectors find on their own.
 *
 * Faults: injected as an Alertmanager would (bench/soak-faults.ts): every `--fault-every` real
 * minutes (3 simulated hours) a new alert group of two alerts, on a catalogued service and on an
 * uncatalogued endpoint in turn, signed with the webhook token, POST /webhooks/alertmanager
 * (version 4); the firing notification re-sent every
 * `--repeat-every` seconds while it fires, each notification delivered twice (an HA pair of
 * Alertmanagers) and retried on anything but a 200; resolved `--firing` real minutes later. Times in
 * the payloads are the bot's simulated time (read from its /healthz), as an Alertmanager watching
 * the simulated estate would write them.
 *
 * Measured every `--sample-every` seconds: VmRSS of each process (/proc/<pid>/status; `node
 * --import tsx` loads tsx in-process, so the child's pid is the bot itself), V8 heap used (its
 * /metrics), Redis `used_memory` (INFO memory) and the key count (DBSIZE). At the end: the maximum
 * and the growth over the second half (least-squares line through its samples: a leak is a steady
 * slope), and every fault checked (bench/soak-ledger.ts). The bounds by default: each process's
 * RSS within the memory limit the Helm chart gives its role (bot 512 MiB, worker 1 GiB:
 * deploy/helm/aiops/values.yaml), Redis used_memory within 64 MiB, and no measure growing more than
 * 10% over the second half. Exits 1 when a fault was missed or duplicated, an incident got two root
 * messages, a delivery failed for good, a process died, or a bound did not hold.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../src/catalogue.js';
import { startFakeSlack } from '../test/fakes/slack.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { logTail, rssBytes, sleep, spawnAiops, stopAiops, waitHealthy, type AiopsProcess } from './scale-processes.js';
import { notificationBody, soakFaults, type SoakFault } from './soak-faults.js';
import { checkFault, faultPassed, IncidentLedger, rootMessages, type FaultCheck } from './soak-ledger.js';
import { growth, type Series } from './soak-series.js';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
const MINUTE = 60_000;
const MEBIBYTE = 1024 * 1024;
const SIM_SPEED = 60;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'fault-every': { type: 'string', default: '3' },
    firing: { type: 'string', default: '1' },
    'repeat-every': { type: 'string', default: '20' },
    'sample-every': { type: 'string', default: '30' },
    'bot-rss-bound': { type: 'string', default: '512' },
    'worker-rss-bound': { type: 'string', default: '1024' },
    'redis-bound': { type: 'string', default: '64' },
    'growth-bound': { type: 'string', default: '10' },
    output: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const numbers = {
  minutes: Number(values.minutes),
  faultEvery: Number(values['fault-every']),
  firing: Number(values.firing),
  repeatEvery: Number(values['repeat-every']),
  sampleEvery: Number(values['sample-every']),
  botRssBound: Number(values['bot-rss-bound']),
  workerRssBound: Number(values['worker-rss-bound']),
  redisBound: Number(values['redis-bound']),
  growthBound: Number(values['growth-bound']),
};
if (!Object.values(numbers).every((value) => Number.isFinite(value) && value > 0) || numbers.firing >= numbers.faultEvery) {
  console.error('bench:soak: expected positive numbers: --minutes, --fault-every (minutes, more than --firing), --firing (minutes), --repeat-every and --sample-every (seconds), --bot-rss-bound, --worker-rss-bound and --redis-bound (MiB), --growth-bound (%)');
  process.exit(2);
}
const duration = numbers.minutes * MINUTE;
/** After the last resolve: time for the bot to show it in Slack. */
const SETTLE = 45_000;
const FIRST_FAULT_AT = 30_000;

interface Sample {
  /** Real ms since the soak's start. */
  at: number;
  rss: Record<string, number>;
  heap: Record<string, number>;
  redisUsedMemory: number;
  redisRss: number;
  keys: number;
  load: number;
}

interface Delivery {
  fault: number;
  status: 'firing' | 'resolved';
  ok: boolean;
  attempts: number;
}

const directory = mkdtempSync(join(tmpdir(), 'aiops-soak-'));
const redisServer = await startRedisServer();
const redis = new Redis(redisServer.url);
const slack = await startFakeSlack();
const webhookToken = randomBytes(24).toString('hex');
const common = { REDIS_URL: redisServer.url, AIOPS_SIM_SPEED: String(SIM_SPEED), ALERTMANAGER_WEBHOOK_TOKEN: webhookToken };
const processes: AiopsProcess[] = [];
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  process.stderr.write('bench:soak: interrupted; stopping the processes\n');
});

const loadBefore = loadavg();
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
const dateStarted = new Date();
let exitCode = 0;
try {
  const bot = await spawnAiops('bot', 'bot', {
    repository: REPOSITORY,
    directory,
    environment: { ...common, SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), SLACK_API_URL: slack.apiUrl },
  });
  processes.push(bot);
  for (const index of [1, 2]) processes.push(await spawnAiops('worker', `worker-${index}`, { repository: REPOSITORY, directory, environment: common }));
  await Promise.all(processes.map((aiops) => waitHealthy(aiops, 300_000)));
  const simulatedNow = await simulatedClockOf(bot);
  // Each process runs its own simulated world, its clock started when the process started.
  const clockOffsets = await Promise.all(processes.map(async (aiops) => ((await simulatedClockOf(aiops))() - simulatedNow()) / MINUTE));
  const services = Object.keys(loadCatalogue(EXAMPLE_CATALOGUE_PATH).services);
  const faults = soakFaults({ services, firstAt: FIRST_FAULT_AT, every: numbers.faultEvery * MINUTE, firing: numbers.firing * MINUTE, lastResolveBy: duration - SETTLE });
  if (faults.length === 0) throw new Error(`no fault fits in ${numbers.minutes} minutes (first at 30 s, firing ${numbers.firing} min, ${SETTLE / 1000} s to settle): give more --minutes`);
  process.stderr.write(`bench:soak: ${processes.map((aiops) => `${aiops.label} pid ${aiops.pid}`).join(', ')}; ${faults.length} faults over ${numbers.minutes} min; logs in ${directory}\n`);

  const startedAt = Date.now();
  const ledger = new IncidentLedger(redis);
  const samples: Sample[] = [];
  const deliveries: Delivery[] = [];
  const pending: Promise<void>[] = [];
  const died: string[] = [];
  const faultStarts = new Map<number, number>();

  const takeSample = async () => {
    const at = Date.now() - startedAt;
    const [memory, keys, heaps] = await Promise.all([redis.info('memory'), redis.dbsize(), Promise.all(processes.map(heapUsed))]);
    samples.push({
      at,
      rss: Object.fromEntries(processes.map((aiops) => [aiops.label, rssBytes(aiops.pid) ?? Number.NaN])),
      heap: Object.fromEntries(processes.map((aiops, index) => [aiops.label, heaps[index]!])),
      redisUsedMemory: infoNumber(memory, 'used_memory'),
      redisRss: infoNumber(memory, 'used_memory_rss'),
      keys,
      load: loadavg()[0]!,
    });
  };
  const deliver = (fault: SoakFault, status: 'firing' | 'resolved') => {
    const startsAt = faultStarts.get(fault.index) ?? faultStarts.set(fault.index, simulatedNow()).get(fault.index)!;
    const body = notificationBody(fault, status, startsAt, status === 'resolved' ? simulatedNow() : undefined);
    // Two Alertmanager replicas send every notification.
    for (let replica = 0; replica < 2; replica += 1) {
      pending.push(
        postWithRetries(bot.port, webhookToken, body).then(({ ok, attempts }) => {
          deliveries.push({ fault: fault.index, status, ok, attempts });
        }),
      );
    }
  };

  // The timetable: every delivery of every fault, in real ms after the start.
  const timetable: Array<{ at: number; fault: SoakFault; status: 'firing' | 'resolved' }> = [];
  for (const fault of faults) {
    for (let at = fault.firesAt; at < fault.resolvesAt; at += numbers.repeatEvery * 1000) timetable.push({ at, fault, status: 'firing' });
    timetable.push({ at: fault.resolvesAt, fault, status: 'resolved' });
  }
  timetable.sort((left, right) => left.at - right.at);

  let familiesAtHalf: Map<string, number> | undefined;
  let nextSample = 0;
  let nextPoll = 0;
  let nextReport = MINUTE;
  while (!interrupted) {
    const elapsed = Date.now() - startedAt;
    if (elapsed >= duration) break;
    while (timetable.length > 0 && timetable[0]!.at <= elapsed) {
      const entry = timetable.shift()!;
      deliver(entry.fault, entry.status);
    }
    if (elapsed >= nextSample) {
      nextSample += numbers.sampleEvery * 1000;
      await takeSample();
    }
    if (familiesAtHalf === undefined && elapsed >= duration / 2) familiesAtHalf = await keyFamilies(redis, services);
    if (elapsed >= nextPoll) {
      nextPoll += 5_000;
      await ledger.poll();
    }
    for (const aiops of processes) {
      if (aiops.child.exitCode !== null && !died.includes(aiops.label)) {
        died.push(aiops.label);
        process.stderr.write(`bench:soak: ${aiops.label} exited (${aiops.child.exitCode}): ${logTail(aiops)}\n`);
      }
    }
    if (elapsed >= nextReport) {
      nextReport += MINUTE;
      const last = samples.at(-1)!;
      process.stderr.write(
        `  ${(elapsed / MINUTE).toFixed(0)} min: RSS ${processes.map((aiops) => `${aiops.label} ${mebibytes(last.rss[aiops.label]!)}`).join(', ')}; Redis ${mebibytes(last.redisUsedMemory)}, ${last.keys} keys; ${rootMessages(slack).length} root messages; load ${last.load.toFixed(1)}\n`,
      );
    }
    await sleep(250);
  }
  await Promise.all(pending);
  // The outbox drained (up to a minute), then the last look.
  const drainDeadline = Date.now() + MINUTE;
  while (Date.now() < drainDeadline && (await redis.zcard('aiops:slack:outbox')) > 0) await sleep(1_000);
  await ledger.poll();
  await takeSample();
  const familiesAtEnd = await keyFamilies(redis, services);
  const loadAfter = loadavg();

  // The checks.
  const roots = rootMessages(slack);
  const checks = faults.map((fault) => checkFault(fault, ledger, roots, startedAt));
  const rootsPerIncident = new Map<string, number>();
  for (const root of roots) rootsPerIncident.set(root.incidentId, (rootsPerIncident.get(root.incidentId) ?? 0) + 1);
  const doubled = [...rootsPerIncident].filter(([, count]) => count > 1);
  const detectorIncidents = new Set(ledger.detectorIncidents());
  const failedDeliveries = deliveries.filter((delivery) => !delivery.ok);
  const retried = deliveries.filter((delivery) => delivery.attempts > 1);

  const labels = processes.map((aiops) => aiops.label);
  const series: Series[] = [
    ...labels.map((label) => ({ name: `RSS ${label}`, unit: 'MiB', points: samples.map((sample) => [sample.at, sample.rss[label]! / MEBIBYTE] as [number, number]) })),
    ...labels.map((label) => ({ name: `V8 heap used ${label}`, unit: 'MiB', points: samples.map((sample) => [sample.at, sample.heap[label]! / MEBIBYTE] as [number, number]) })),
    { name: 'Redis used_memory', unit: 'MiB', points: samples.map((sample) => [sample.at, sample.redisUsedMemory / MEBIBYTE] as [number, number]) },
    { name: 'Redis used_memory_rss', unit: 'MiB', points: samples.map((sample) => [sample.at, sample.redisRss / MEBIBYTE] as [number, number]) },
    { name: 'Redis keys', unit: 'keys', points: samples.map((sample) => [sample.at, sample.keys] as [number, number]) },
  ];
  const half = (Date.now() - startedAt) / 2;
  const rows = series.map((entry) => ({ entry, ...growth(entry.points, half) }));

  const bounds = [
    ...labels.map((label) => {
      const row = rows.find((candidate) => candidate.entry.name === `RSS ${label}`)!;
      const bound = label === 'bot' ? numbers.botRssBound : numbers.workerRssBound;
      return { what: `RSS ${label} ≤ ${bound} MiB and second-half growth ≤ ${numbers.growthBound}%`, held: row.maximum <= bound && row.growthPercent <= numbers.growthBound, figure: `max ${row.maximum.toFixed(0)} MiB, growth ${signed(row.growthPercent)}%` };
    }),
    (() => {
      const row = rows.find((candidate) => candidate.entry.name === 'Redis used_memory')!;
      return { what: `Redis used_memory ≤ ${numbers.redisBound} MiB and second-half growth ≤ ${numbers.growthBound}%`, held: row.maximum <= numbers.redisBound && row.growthPercent <= numbers.growthBound, figure: `max ${row.maximum.toFixed(1)} MiB, growth ${signed(row.growthPercent)}%` };
    })(),
  ];

  console.log(`bench:soak, ${dateStarted.toString()}; ${machine}`);
  console.log(`${numbers.minutes} min at AIOPS_SIM_SPEED=${SIM_SPEED} (${((numbers.minutes * SIM_SPEED) / 60).toFixed(1)} simulated hours); bot + 2 workers; ${faults.length} Alertmanager faults, one every ${numbers.faultEvery} min, firing ${numbers.firing} min, re-sent every ${numbers.repeatEvery} s, each notification twice; ${samples.length} samples every ${numbers.sampleEvery} s; load (1-min) ${loadBefore[0]!.toFixed(1)} before, ${mean(samples.map((sample) => sample.load)).toFixed(1)} mean, ${loadAfter[0]!.toFixed(1)} after\n`);
  console.log('| measure | start | at half | end | max | second-half growth (fitted) | slope |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const digits = row.entry.unit === 'keys' ? 0 : 1;
    console.log(`| ${row.entry.name} (${row.entry.unit}) | ${row.first.toFixed(digits)} | ${row.atHalf.toFixed(digits)} | ${row.last.toFixed(digits)} | ${row.maximum.toFixed(digits)} | ${signed(row.growthPercent)}% | ${signed(row.slopePerHour, digits)} ${row.entry.unit}/h |`);
  }
  console.log('\n| bound | held | figure |');
  console.log('|---|---|---|');
  for (const bound of bounds) console.log(`| ${bound.what} | ${bound.held ? 'yes' : '**no**'} | ${bound.figure} |`);

  console.log('\nRedis keys by family (ids and services as *), the 15 largest at the end:\n');
  console.log('| key family | at half | at end |');
  console.log('|---|---:|---:|');
  for (const [family, count] of [...familiesAtEnd].sort((left, right) => right[1] - left[1]).slice(0, 15)) console.log(`| \`${family}\` | ${familiesAtHalf?.get(family) ?? 0} | ${count} |`);

  console.log('\n| fault | at (min) | service | alert | outcome | incident | root messages | alerts resolved | shown resolved | posted after (s) | shown resolved after (s) |');
  console.log('|---:|---:|---|---|---|---|---:|---|---|---:|---:|');
  for (const check of checks) console.log(faultRow(check));
  const passed = checks.filter(faultPassed).length;
  const outcomes = new Map<string, number>();
  for (const check of checks) outcomes.set(check.outcome, (outcomes.get(check.outcome) ?? 0) + 1);
  const posted = checks.flatMap((check) => (check.postedAfter === undefined ? [] : [check.postedAfter / 1000]));
  const shown = checks.flatMap((check) => (check.resolvedAfter === undefined ? [] : [check.resolvedAfter / 1000]));
  console.log(`\nFaults: ${passed} of ${faults.length} passed (${[...outcomes].map(([outcome, count]) => `${count} ${outcome}`).join(', ')}); root message posted after p50 ${median(posted).toFixed(1)} s, max ${Math.max(...posted, 0).toFixed(1)} s; shown resolved after p50 ${median(shown).toFixed(1)} s, max ${Math.max(...shown, 0).toFixed(1)} s.`);
  const mergedRoots = roots.filter((root) => ledger.survivor(root.incidentId) !== root.incidentId).length;
  console.log(`Incidents: ${ledger.incidents.size} seen (${detectorIncidents.size} with detector alerts), ${roots.length} root messages (${mergedRoots} of incidents later merged into another), ${doubled.length} incident(s) with more than one root message${doubled.length ? ` (${doubled.map(([id, count]) => `${id} × ${count}`).join(', ')})` : ''}; root messages of detector incidents: ${roots.filter((root) => detectorIncidents.has(root.incidentId)).length}.`);
  console.log(`Simulated clocks: ${processes.map((aiops, index) => `${aiops.label} ${signed(clockOffsets[index]!)} min`).join(', ')} against the bot's (each process runs its own world from its own start).`);
  console.log(`Deliveries: ${deliveries.length} (${deliveries.filter((delivery) => delivery.status === 'resolved').length} resolved), ${retried.length} retried, ${failedDeliveries.length} failed after retries. Slack calls: ${slack.calls().length}. Processes died: ${died.length ? died.join(', ') : 'none'}.`);

  if (passed < faults.length || doubled.length > 0 || died.length > 0 || failedDeliveries.length > 0 || bounds.some((bound) => !bound.held)) exitCode = 1;
  if (values.output) {
    writeFileSync(values.output, `${JSON.stringify({ machine, date: dateStarted.toISOString(), options: numbers, clockOffsets, load: { before: loadBefore, after: loadAfter }, samples, bounds, faults: checks.map(({ fault, ...rest }) => ({ index: fault.index, service: fault.service, alertname: fault.alertname, ...rest })), roots: roots.map(({ text, ...rest }) => ({ ...rest, text: text.slice(0, 200) })) }, null, 2)}\n`);
  }
} catch (error) {
  console.error(`bench:soak: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  for (const aiops of [...processes].reverse()) {
    const outcome = await stopAiops(aiops);
    if (outcome !== 'SIGTERM' && outcome !== 'exit 0') process.stderr.write(`bench:soak: ${aiops.label} stopped with ${outcome}\n`);
  }
  redis.disconnect();
  await slack.close();
  await redisServer.stop();
  if (values.keep || exitCode !== 0) process.stderr.write(`bench:soak: logs kept in ${directory}\n`);
  else rmSync(directory, { recursive: true, force: true });
}
process.exit(exitCode);

/** A process's simulated clock, from its /healthz (asked up to 5 times), carried forward at the simulation's speed. */
async function simulatedClockOf(aiops: AiopsProcess): Promise<() => number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const before = Date.now();
      const body = (await (await fetch(`http://127.0.0.1:${aiops.port}/healthz`, { signal: AbortSignal.timeout(10_000) })).json()) as { simulation?: { time?: string } };
      const after = Date.now();
      const simulated = Date.parse(body.simulation?.time ?? '');
      if (!Number.isFinite(simulated)) throw new Error(`${aiops.label}'s /healthz names no simulated time: is the simulated world running?`);
      const real = (before + after) / 2;
      return () => simulated + (Date.now() - real) * SIM_SPEED;
    } catch (error) {
      if (attempt >= 5) throw new Error(`${aiops.label}'s /healthz: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      await sleep(1_000);
    }
  }
}

/** POSTs a webhook body as Alertmanager does, retrying (every 2 s, up to 10 times) until a 200. */
async function postWithRetries(port: number, token: string, body: string): Promise<{ ok: boolean; attempts: number }> {
  for (let attempt = 1; attempt <= 10; attempt += 1) {
    const status = await fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      signal: AbortSignal.timeout(10_000),
    }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return { ok: true, attempts: attempt };
    await sleep(2_000);
  }
  return { ok: false, attempts: 10 };
}

/** Key counts by family: the key with every segment holding a digit, and every service name, as `*`. */
async function keyFamilies(client: Redis, services: string[]): Promise<Map<string, number>> {
  const families = new Map<string, number>();
  const named = new Set(services);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const family = key
        .split(':')
        .map((segment) => (/\d/.test(segment) || named.has(segment) || segment.length > 32 ? '*' : segment))
        .join(':');
      families.set(family, (families.get(family) ?? 0) + 1);
    }
  } while (cursor !== '0');
  return families;
}

async function heapUsed(aiops: AiopsProcess): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${aiops.port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

function faultRow(check: FaultCheck): string {
  const seconds = (milliseconds: number | undefined) => (milliseconds === undefined ? '—' : (milliseconds / 1000).toFixed(1));
  const outcome = faultPassed(check) ? check.outcome : `**${check.outcome}${check.alertsResolved ? '' : ', alerts not resolved'}${check.outcome === 'own incident' && !check.shownResolved ? ', not shown resolved' : ''}**`;
  return `| ${check.fault.index} | ${(check.fault.firesAt / MINUTE).toFixed(1)} | ${check.fault.service}${check.fault.catalogued ? '' : ' (uncatalogued)'} | ${check.fault.alertname} (${check.fault.severity}) | ${outcome} | ${check.detail || check.incidentIds.join(', ')} | ${check.rootCount} | ${check.alertsResolved ? 'yes' : 'no'} | ${check.shownResolved ? 'yes' : 'no'} | ${seconds(check.postedAfter)} | ${seconds(check.resolvedAfter)} |`;
}

function infoNumber(text: string, field: string): number {
  return Number(new RegExp(`^${field}:(\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

function mebibytes(bytes: number): string {
  return `${(bytes / MEBIBYTE).toFixed(0)} MiB`;
}

function signed(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

function mean(numbers: number[]): number {
  return numbers.length === 0 ? Number.NaN : numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
}

function median(numbers: number[]): number {
  if (numbers.length === 0) return Number.NaN;
  const sorted = [...numbers].sort((left, right) => left - right);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
