/**
 * Detection at scale across worker processes: simulated estates of N services scored every
 * minute by 1 or 2 `aiops worker` processes beside one `aiops bot`, each configuration on its own
 * fresh `redis-server` (`--save "" --appendonly no`, a free port; never the Redis on 6379).
 *
 *   npm run -s bench:scale [-- --services 2000,10000 --workers 1,2 --cycles 3 --warm-up-limit 12
 *                              --scenario NAME --deployments cart,cache --sim-start ISO --concurrency SPEC …
 *                              --profile DIR --output FILE --keep]
 *
 * The processes are the product's own, in its default configuration: `node --import tsx
 * src/main.ts bot|worker` (what `npm run aiops -- bot` runs), no Slack settings (the bot logs
 * only), the simulated world at AIOPS_SIM_SPEED=1 (real minutes: detection every minute), the
 * catalogue from bench/scale-catalogue.ts (the shop's ten services cloned N/10 times; the
 * simulated metrics answer a clone with its original's series). Every queue runs, as a worker
 * runs them by default: detection, training, log mining, forecasts, healing.
 *
 * Measured from outside the workers: a QueueEvents listener in this process hears every
 * `completed` event of the detection queue; a scheduled job's id (`repeat:detect:<service>:<due
 * ms>`) says when it became due and the event's stream id when it finished (Redis's clock).
 * Cycle k holds each service's job due in the k-th minute after the first; its completion time
 * is from its earliest due time to its last job's finish. Warm-up (each service's first pass
 * over a day of history, the training jobs every start runs) is reported on its own; the steady
 * cycles are the next `--cycles` minutes after it. CPU per process from /proc/<pid>/stat, Redis's
 * from INFO cpu, Redis memory from INFO memory, worker RSS sampled every 2 s, per-queue job
 * seconds from each worker's /metrics (aiops_job_duration_seconds).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { KEY_PREFIX } from '../src/state/redis.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { scaleCatalogue } from './scale-catalogue.js';
import { cpuSeconds, jobTotals, logTail, rssBytes, sleep, spawnAiops, stopAiops, waitHealthy, type AiopsProcess, type JobTotals } from './scale-processes.js';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
/** A run stops when the machine has less memory available than this. */
const MEMORY_FLOOR_BYTES = 2 * 1024 ** 3;
const MINUTE = 60_000;
/** Where the product keeps BullMQ's keys (src/state/state.ts). */
const QUEUE_PREFIX = `${KEY_PREFIX}bull`;
const QUEUES = { detection: 'aiops-detection', training: 'aiops-training', logs: 'aiops-logs', forecast: 'aiops-forecast' } as const;

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '2000,10000' },
    workers: { type: 'string', default: '1,2' },
    cycles: { type: 'string', default: '3' },
    'warm-up-limit': { type: 'string', default: '12' },
    scenario: { type: 'string' },
    deployments: { type: 'string' },
    // The simulated world's first instant (AIOPS_SIM_START): runs of different code compare only on the same world.
    'sim-start': { type: 'string' },
    // AIOPS_WORKER_CONCURRENCY for the workers (e.g. detection=4), a setting users have; given more than once, each is a configuration of its own, side by side in one run; none, the default.
    concurrency: { type: 'string', multiple: true },
    profile: { type: 'string' },
    output: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const serviceCounts = values.services.split(',').map(Number);
const workerCounts = values.workers.split(',').map(Number);
const cycles = Number(values.cycles);
const warmUpLimit = Number(values['warm-up-limit']) * MINUTE;
if (![...serviceCounts, ...workerCounts, cycles].every((value) => Number.isInteger(value) && value >= 1) || !(warmUpLimit > 0)) {
  console.error('bench:scale: expected --services N[,N…], --workers N[,N…], --cycles N (whole numbers ≥ 1) and --warm-up-limit MINUTES');
  process.exit(2);
}

interface Completion {
  service: string;
  due: number;
  finished: number;
}

interface Sample {
  at: number;
  cpu: Map<string, number>;
  redisCpu: number;
  jobs: Map<string, Map<string, JobTotals>>;
}

interface Result {
  services: number;
  workers: number;
  /** AIOPS_WORKER_CONCURRENCY of the workers, or "default". */
  concurrency: string;
  load: { before: number[]; after: number[] };
  warmUp: { detectionSeconds?: number; trainingSeconds?: number; trainingDone: number; limited: boolean; cpuSeconds: Record<string, number> };
  cycles: Array<{ index: number; due: number; completed: number; seconds?: number; lastSeconds: number }>;
  jobLatency: { p50: number; p95: number };
  jobsPerSecond: number;
  busyJobsPerSecond?: number;
  cpuCores: Record<string, number>;
  redisUsedMemory: number;
  redisPeakMemory: number;
  workerRssMaximum: number[];
  queueSeconds: Record<string, { runs: number; failed: number; seconds: number }>;
  waitingMaximum: Record<string, number>;
  failedDetection: number;
  forecastsDone: number;
  anomalies?: number;
  logs: string;
}

const quantile = (numbers: number[], share: number) => {
  if (numbers.length === 0) return Number.NaN;
  const sorted = [...numbers].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
};

async function runConfiguration(services: number, workers: number, concurrency: string | undefined): Promise<Result> {
  const directory = mkdtempSync(join(tmpdir(), 'aiops-scale-'));
  const cataloguePath = join(directory, 'catalogue.yml');
  writeFileSync(cataloguePath, scaleCatalogue(services, values.deployments ? { originals: values.deployments.split(',') } : {}));
  const redis = await startRedisServer();
  const info = new Redis(redis.url);
  const environment = {
    REDIS_URL: redis.url,
    AIOPS_CONFIG: cataloguePath,
    AIOPS_SIM_SPEED: '1',
    ...(values.scenario ? { AIOPS_SCENARIO: values.scenario } : {}),
    ...(values['sim-start'] ? { AIOPS_SIM_START: values['sim-start'] } : {}),
    ...(concurrency ? { AIOPS_WORKER_CONCURRENCY: concurrency } : {}),
  };
  const loadBefore = loadavg();
  const processes: AiopsProcess[] = [];
  const listeners: QueueEvents[] = [];
  const depthQueues = Object.values(QUEUES).map((name) => new Queue(name, { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX }));
  try {
    // The events of every queue this bench counts, heard from before the first job exists.
    const completions: Completion[] = [];
    const firstPass = new Map<string, number>();
    let failedDetection = 0;
    let trainingDone = 0;
    let trainingAllAt: number | undefined;
    let forecastsDone = 0;
    const listen = (queue: string) => {
      const events = new QueueEvents(queue, { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
      events.on('error', () => undefined);
      listeners.push(events);
      return events;
    };
    listen(QUEUES.detection).on('completed', ({ jobId }, id) => {
      const parts = jobId.split(':');
      if (parts[0] !== 'repeat' || parts.length < 4) return;
      const completion = { service: parts.slice(2, -1).join(':'), due: Number(parts.at(-1)), finished: Number(id.split('-')[0]) };
      completions.push(completion);
      if (!firstPass.has(completion.service)) firstPass.set(completion.service, completion.finished);
    });
    listeners[0]!.on('failed', () => (failedDetection += 1));
    listen(QUEUES.training).on('completed', () => {
      trainingDone += 1;
      if (trainingDone === services) trainingAllAt = Date.now();
    });
    listen(QUEUES.forecast).on('completed', () => (forecastsDone += 1));
    await Promise.all(listeners.map((events) => events.waitUntilReady()));

    // Workers first, so the first cycle measures work, not node start-ups; then the bot, whose start schedules every service.
    const profileFlags = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(values.profile, `${services}x${workers}`)}`] : [];
    for (let index = 1; index <= workers; index += 1) processes.push(await spawnAiops('worker', `worker-${index}`, { repository: REPOSITORY, directory, environment, nodeFlags: profileFlags }));
    await Promise.all(processes.map((worker) => waitHealthy(worker)));
    const started = Date.now();
    const startCpu = new Map(processes.map((aiops) => [aiops.label, cpuSeconds(aiops.pid) ?? 0]));
    const startRedisCpu = await redisCpu(info);
    const bot = await spawnAiops('bot', 'bot', { repository: REPOSITORY, directory, environment });
    processes.push(bot);
    startCpu.set('bot', 0);
    await waitHealthy(bot, 300_000);
    const workerProcesses = processes.filter((aiops) => aiops.role === 'worker');
    const rssMaximum = workerProcesses.map(() => 0);
    const waitingMaximum: Record<string, number> = {};
    let measuring = false;
    const sampler = setInterval(() => {
      workerProcesses.forEach((worker, index) => (rssMaximum[index] = Math.max(rssMaximum[index]!, rssBytes(worker.pid) ?? 0)));
      if (!measuring) return;
      void Promise.all(depthQueues.map(async (queue) => [queue.name, (await queue.getJobCounts('wait', 'prioritized')) as Record<string, number>] as const)).then((depths) => {
        for (const [name, counts] of depths) waitingMaximum[name] = Math.max(waitingMaximum[name] ?? 0, (counts.wait ?? 0) + (counts.prioritized ?? 0));
      }, () => undefined);
    }, 2_000);

    // Warm-up: every service's first pass, and the training every start runs, or the limit.
    const ensureRunning = () => {
      const dead = processes.find((aiops) => aiops.child.exitCode !== null);
      if (dead) throw new Error(`${dead.label} exited (${dead.child.exitCode}) during the run: ${logTail(dead)}`);
      // The machine is shared: stop before the kernel's OOM killer picks a process of someone else's.
      const available = memoryAvailable();
      if (available !== undefined && available < MEMORY_FLOOR_BYTES) throw new Error(`stopped: only ${mebibytes(available)} of memory left on this machine (workers ${workerProcesses.map((worker) => mebibytes(rssBytes(worker.pid) ?? 0)).join(', ')}); the estate does not fit`);
    };
    while (Date.now() - started < warmUpLimit && (firstPass.size < services || trainingAllAt === undefined)) {
      ensureRunning();
      await sleep(1_000);
    }
    const warmedAt = Date.now();
    const detectionWarm = firstPass.size === services ? Math.max(...firstPass.values()) : undefined;
    const warmCpu: Record<string, number> = Object.fromEntries(processes.map((aiops) => [aiops.label, (cpuSeconds(aiops.pid) ?? 0) - (startCpu.get(aiops.label) ?? 0)]));
    warmCpu.redis = (await redisCpu(info)) - startRedisCpu;
    process.stderr.write(
      `  ${services} × ${workers}: warm-up ${detectionWarm === undefined ? `incomplete (${firstPass.size}/${services} first passes)` : `detection ${((detectionWarm - started) / 1000).toFixed(0)} s`}, training ${trainingDone}/${services}${trainingAllAt ? ` in ${((trainingAllAt - started) / 1000).toFixed(0)} s` : ''}\n`,
    );

    // Steady state: the cycles due after the warm-up, `cycles` minutes of them.
    const origin = Math.min(...completions.map((completion) => completion.due));
    const firstSlot = Math.ceil((warmedAt - origin) / MINUTE);
    const windowStart = origin + firstSlot * MINUTE;
    const windowEnd = windowStart + cycles * MINUTE;
    while (Date.now() < windowStart) await sleep(200);
    measuring = true;
    const first = await sample(processes, info);
    while (Date.now() < windowEnd) {
      ensureRunning();
      await sleep(1_000);
    }
    const last = await sample(processes, info);
    // The last cycle may still be running: wait for it (up to 2 minutes past the window).
    const slotOf = (completion: Completion) => Math.round((completion.due - origin) / MINUTE);
    const steadySlots = Array.from({ length: cycles }, (_, index) => firstSlot + index);
    const doneBy = (slot: number) => completions.filter((completion) => slotOf(completion) === slot).length;
    while (Date.now() < windowEnd + 2 * MINUTE && steadySlots.some((slot) => doneBy(slot) < services)) {
      ensureRunning();
      await sleep(1_000);
    }
    clearInterval(sampler);
    const memory = await info.info('memory');

    const cycleResults = steadySlots.map((slot) => {
      const members = completions.filter((completion) => slotOf(completion) === slot);
      const due = members.length > 0 ? Math.min(...members.map((completion) => completion.due)) : origin + slot * MINUTE;
      const lastSeconds = members.length > 0 ? (Math.max(...members.map((completion) => completion.finished)) - due) / 1000 : Number.NaN;
      return { index: slot, due, completed: members.length, ...(members.length === services ? { seconds: lastSeconds } : {}), lastSeconds };
    });
    const steady = completions.filter((completion) => steadySlots.includes(slotOf(completion)));
    const inWindow = completions.filter((completion) => completion.finished >= first.at && completion.finished < last.at).length;
    const seconds = (last.at - first.at) / 1000;
    const cpuCores: Record<string, number> = Object.fromEntries(processes.map((aiops) => [aiops.label, ((last.cpu.get(aiops.label) ?? 0) - (first.cpu.get(aiops.label) ?? 0)) / seconds]));
    cpuCores.redis = (last.redisCpu - first.redisCpu) / seconds;
    const queueSeconds: Result['queueSeconds'] = {};
    for (const worker of workerProcesses) {
      for (const [queue, totals] of last.jobs.get(worker.label) ?? []) {
        const before = first.jobs.get(worker.label)?.get(queue) ?? { runs: 0, failed: 0, seconds: 0 };
        const entry = (queueSeconds[queue] ??= { runs: 0, failed: 0, seconds: 0 });
        entry.runs += totals.runs - before.runs;
        entry.failed += totals.failed - before.failed;
        entry.seconds += totals.seconds - before.seconds;
      }
    }
    const complete = cycleResults.filter((cycle) => cycle.seconds !== undefined);
    const busy = complete.length > 0 ? quantile(complete.map((cycle) => cycle.seconds!), 0.5) : undefined;
    const anomalies = await countAnomalies(workerProcesses);
    return {
      services,
      workers,
      concurrency: concurrency ?? 'default',
      load: { before: loadBefore, after: loadavg() },
      warmUp: {
        detectionSeconds: detectionWarm === undefined ? undefined : (detectionWarm - started) / 1000,
        trainingSeconds: trainingAllAt === undefined ? undefined : (trainingAllAt - started) / 1000,
        trainingDone,
        limited: detectionWarm === undefined || trainingAllAt === undefined,
        cpuSeconds: warmCpu,
      },
      cycles: cycleResults,
      jobLatency: { p50: quantile(steady.map((completion) => (completion.finished - completion.due) / 1000), 0.5), p95: quantile(steady.map((completion) => (completion.finished - completion.due) / 1000), 0.95) },
      jobsPerSecond: inWindow / seconds,
      ...(busy !== undefined ? { busyJobsPerSecond: services / busy } : {}),
      cpuCores,
      redisUsedMemory: infoNumber(memory, 'used_memory'),
      redisPeakMemory: infoNumber(memory, 'used_memory_peak'),
      workerRssMaximum: rssMaximum,
      queueSeconds,
      waitingMaximum,
      failedDetection,
      forecastsDone,
      anomalies,
      logs: directory,
    };
  } finally {
    for (const aiops of [...processes].reverse()) await stopAiops(aiops);
    await Promise.all(listeners.map((events) => events.close()));
    await Promise.all(depthQueues.map((queue) => queue.close()));
    info.disconnect();
    await redis.stop();
    if (!values.keep) rmSync(directory, { recursive: true, force: true });
  }
}

/** MemAvailable from /proc/meminfo, bytes. */
function memoryAvailable(): number | undefined {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function sample(processes: AiopsProcess[], info: Redis): Promise<Sample> {
  const at = Date.now();
  const cpu = new Map(processes.map((aiops) => [aiops.label, cpuSeconds(aiops.pid) ?? 0]));
  const [redisSeconds, jobs] = await Promise.all([redisCpu(info), Promise.all(processes.filter((aiops) => aiops.role === 'worker').map(async (worker) => [worker.label, await jobTotals(worker)] as const))]);
  return { at, cpu, redisCpu: redisSeconds, jobs: new Map(jobs) };
}

async function redisCpu(info: Redis): Promise<number> {
  const text = await info.info('cpu');
  return infoNumber(text, 'used_cpu_user') + infoNumber(text, 'used_cpu_sys');
}

function infoNumber(text: string, field: string): number {
  return Number(new RegExp(`^${field}:(\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

async function countAnomalies(workers: AiopsProcess[]): Promise<number | undefined> {
  let total = 0;
  for (const worker of workers) {
    try {
      const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      for (const match of text.matchAll(/^aiops_anomalies_raised_total\{[^}]*\} (\S+)$/gm)) total += Number(match[1]);
    } catch {
      return undefined;
    }
  }
  return total;
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const fixed = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`;
console.log(`bench:scale on ${machine}; ${new Date().toString()}; catalogue clones ${values.deployments ?? "all ten shop services"}, scenario ${values.scenario ?? "the default"}, simulated world from ${values['sim-start'] ?? 'now'}`);
const concurrencies = values.concurrency ?? [undefined];
const results: Result[] = [];
for (const services of serviceCounts) {
  for (const workers of workerCounts) {
    for (const concurrency of concurrencies) {
      process.stderr.write(`${services} services, ${workers} worker(s), concurrency ${concurrency ?? 'default'}: starting (load ${loadavg().map((load) => load.toFixed(2)).join(' ')})\n`);
      const result = await runConfiguration(services, workers, concurrency);
      results.push(result);
      process.stderr.write(`  cycles ${result.cycles.map((cycle) => `${cycle.completed}/${services} in ${cycle.lastSeconds.toFixed(1)} s`).join(', ')}\n`);
    }
  }
}

console.log('\n| services | worker processes | worker concurrency | warm-up: first passes done, s | warm-up: training done, s | cycle completion p50 / p95, s | within the minute | detection jobs/s | jobs/s while a cycle runs | job due → done p50 / p95, s | CPU cores: workers / bot / Redis | Redis used_memory | worker RSS (max) | load before → after |');
console.log('|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|');
for (const result of results) {
  const complete = result.cycles.filter((cycle) => cycle.seconds !== undefined).map((cycle) => cycle.seconds!);
  const incomplete = result.cycles.filter((cycle) => cycle.seconds === undefined);
  const completion = incomplete.length > 0 ? `${incomplete.length} of ${result.cycles.length} incomplete (${incomplete.map((cycle) => (cycle.completed === 0 ? `none of ${result.services} done` : `${cycle.completed}/${result.services} after ${cycle.lastSeconds.toFixed(0)} s`)).join(', ')})` : `${fixed(quantile(complete, 0.5))} / ${fixed(quantile(complete, 0.95))}`;
  const within = incomplete.length === 0 && complete.every((seconds) => seconds <= 60) ? 'yes' : 'no';
  const workerCpu = Object.entries(result.cpuCores).filter(([label]) => label.startsWith('worker')).map(([, cores]) => fixed(cores, 2)).join(' + ');
  console.log(
    `| ${result.services.toLocaleString('en-US')} | ${result.workers} | ${result.concurrency} | ${fixed(result.warmUp.detectionSeconds, 0)} | ${result.warmUp.trainingSeconds === undefined ? `${result.warmUp.trainingDone} of ${result.services} by the limit` : fixed(result.warmUp.trainingSeconds, 0)} | ${completion} | ${within} | ${fixed(result.jobsPerSecond)} | ${fixed(result.busyJobsPerSecond)} | ${fixed(result.jobLatency.p50)} / ${fixed(result.jobLatency.p95)} | ${workerCpu} / ${fixed(result.cpuCores.bot, 2)} / ${fixed(result.cpuCores.redis, 2)} | ${mebibytes(result.redisUsedMemory)} (peak ${mebibytes(result.redisPeakMemory)}) | ${result.workerRssMaximum.map(mebibytes).join(', ')} | ${result.load.before.map((load) => load.toFixed(1)).join(' ')} → ${result.load.after.map((load) => load.toFixed(1)).join(' ')} |`,
  );
}
console.log('\nWhere the workers\' time went in the steady window (sum over worker processes; job seconds are wall time, and detection jobs overlap up to the worker concurrency):\n');
console.log('| services | workers | worker concurrency | queue | job runs | failed | job seconds | mean ms | most waiting |');
console.log('|---:|---:|---|---|---:|---:|---:|---:|---:|');
for (const result of results) {
  for (const [queue, totals] of Object.entries(result.queueSeconds).sort()) {
    console.log(`| ${result.services} | ${result.workers} | ${result.concurrency} | ${queue} | ${totals.runs} | ${totals.failed} | ${totals.seconds.toFixed(1)} | ${totals.runs > 0 ? ((totals.seconds / totals.runs) * 1000).toFixed(1) : '—'} | ${result.waitingMaximum[queue] ?? '—'} |`);
  }
}
console.log('\nWarm-up CPU seconds (from the bot\'s start to the warm-up\'s end), anomalies raised, forecasts done, failed detection jobs:\n');
for (const result of results) {
  console.log(`- ${result.services} × ${result.workers}, concurrency ${result.concurrency}: ${Object.entries(result.warmUp.cpuSeconds).map(([label, seconds]) => `${label} ${seconds.toFixed(0)}`).join(', ')}; anomalies ${result.anomalies ?? '—'}; forecasts ${result.forecastsDone}; failed detection ${result.failedDetection}${result.warmUp.limited ? '; warm-up cut at the limit' : ''}${values.keep ? `; logs in ${result.logs}` : ''}`);
}
if (values.output) writeFileSync(values.output, `${JSON.stringify({ machine, date: new Date().toISOString(), results }, null, 2)}\n`);
