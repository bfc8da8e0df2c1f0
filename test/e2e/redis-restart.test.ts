import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import type { QueueReport } from '../../src/jobs/queue-report.js';
import { INCIDENT_EVENT_TYPE } from '../../src/slack/find-incident-root.js';
import { startFakeSlack, type FakeSlack, type SlackMessage } from '../fakes/slack.js';
import { runAiopsCommand, startAiopsProcesses, type AiopsProcess } from '../support/aiops-process.js';
import { WEBHOOK_AUTHORIZATION, WEBHOOK_TOKEN } from '../support/alertmanager-webhook.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * Issue 18's "Redis restarted": `aiops bot` and two `aiops worker` processes on a Redis of the
 * test's own with a persistent volume (an append-only file fsynced before each reply), the
 * simulated shop at a minute a second (so every service is scored every second, and its fault
 * starts 5 simulated minutes in), Slack through the fake. Alertmanager delivers alerts while Slack
 * is out, so none is posted before Redis goes; Redis is killed with SIGKILL mid-delivery and
 * started again. Nobody restarts the bot or the workers: they reconnect by themselves, the
 * detection schedules run again, and every alert the webhook acknowledged, before the restart or
 * retried after it, reaches Slack exactly once.
 */

const services = Object.keys(loadCatalogue(EXAMPLE_CATALOGUE_PATH).services);
/** Alertmanager groups of alerts naming no catalogued service: each its own incident, in the catch-all channel. */
const GROUPS = ['probe-north', 'probe-south', 'probe-east', 'probe-west'];
const CHANNEL = '#ops-alerts';
const DOWN_MILLISECONDS = 6_000;

let server: RedisServer;
let slack: FakeSlack;
let processes: AiopsProcess[] = [];
let bot: AiopsProcess;
let environment: Record<string, string>;

beforeAll(async () => {
  server = await startRedisServer({ persistent: true });
  slack = await startFakeSlack();
  environment = {
    REDIS_URL: server.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'redis-restart-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    ALERTMANAGER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
    AIOPS_SIM_SPEED: '60',
    AIOPS_SIM_START: '2026-11-24T14:55:00Z',
  };
  processes = await startAiopsProcesses(['bot', 'worker', 'worker'], { environment });
  bot = processes[0]!;
}, 90_000);

afterAll(async () => {
  await slack?.restore();
  // A test that failed mid-outage leaves Redis down: the processes stop cleanly only with it back.
  if (server && !(await ping())) await server.start().catch(() => undefined);
  await Promise.all(processes.map((aiops) => aiops.stop()));
  await slack?.close();
  await server?.stop();
}, 60_000);

async function ping(): Promise<boolean> {
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Reads Redis with a connection of its own, opened and closed around `read`, so nothing of the test's outlives a restart. */
async function withRedis<T>(read: (redis: Redis, detection: Queue) => Promise<T>): Promise<T> {
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const detection = new Queue(QUEUE_NAMES.detection, { connection: redis, prefix: 'aiops:bull' });
  try {
    return await read(redis, detection);
  } finally {
    await detection.close();
    redis.disconnect();
  }
}

/** The services whose detection jobs finished after `since` (ms), among the last completed ones BullMQ keeps. */
const scoredSince = (since: number) => withRedis(async (_redis, detection) => new Set((await detection.getJobs(['completed'], 0, 99)).filter((job) => (job.finishedOn ?? 0) > since).map((job) => job.data.service)));

interface Delivery {
  summary: string;
  /** When the webhook first answered 200, and how many answers before that were not 200. */
  acknowledgedAt?: number;
  refused: number;
}

/** Alertmanager's side: POSTs the alert until the webhook answers 200, every 500 ms. */
async function deliver(group: string, pod: string): Promise<Delivery> {
  const summary = `Restart test ${group} ${pod} down`;
  const alert = { status: 'firing', labels: { alertname: 'ProbeFailed', service: group, pod: `${group}-${pod}`, severity: 'critical' }, annotations: { summary }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z' };
  const body = JSON.stringify({ version: '4', groupKey: `{}:{service="${group}"}`, status: 'firing', receiver: 'aiops', groupLabels: { service: group }, commonLabels: { service: group }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts: [alert] });
  const delivery: Delivery = { summary, refused: 0 };
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${bot.port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', ...WEBHOOK_AUTHORIZATION }, body, signal: AbortSignal.timeout(15_000) }).then(
      async (response) => (await response.arrayBuffer(), response.status),
      () => 0,
    );
    if (status === 200) return { ...delivery, acknowledgedAt: Date.now() };
    delivery.refused += 1;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `aiops jobs --json`, run as an operator runs it. */
async function jobsReport(): Promise<QueueReport[]> {
  const jobs = await runAiopsCommand(['jobs', '--json'], { REDIS_URL: server.url });
  expect(jobs.stderr).toBe('');
  return (JSON.parse(jobs.stdout) as { queues: QueueReport[] }).queues;
}

const workersByQueue = (reports: QueueReport[]) => Object.fromEntries(reports.map((report) => [report.queue, report.workers]));

const incidentIdOf = (message: SlackMessage) => (message.metadata as { event_type?: string; event_payload?: { incident_id?: string } } | undefined);
const roots = () => slack.messages().filter((message) => message.threadTs === undefined && incidentIdOf(message)?.event_type === INCIDENT_EVENT_TYPE);
const probe = (path: string) => fetch(`http://127.0.0.1:${bot.port}${path}`, { signal: AbortSignal.timeout(10_000) }).then((response) => response.status, () => 0);

describe('Redis restarted under a running bot and its workers (issue 18)', () => {
  it('reconnects every process by itself, resumes the detection schedules, and loses nothing acknowledged', async () => {
    // Running: every service scored by the workers.
    await until(async () => (await scoredSince(0)).size === services.length, 'every service scored before the restart', 60_000);
    // Who takes each queue, as an operator sees it (every worker process has opened its queues by now); the same once Redis is back.
    const workersBefore = workersByQueue(await jobsReport());
    expect(workersBefore[QUEUE_NAMES.detection]).toBe(2);

    // Slack out, so nothing delivered now can reach it before Redis goes.
    await slack.outage('unavailable');
    const before = await Promise.all(GROUPS.map((group) => deliver(group, 'a')));
    expect(before.map((delivery) => delivery.refused)).toEqual(GROUPS.map(() => 0));

    // More deliveries under way as Redis dies; Alertmanager retries what was refused.
    const around = Promise.all(GROUPS.map((group) => deliver(group, 'b')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.kill();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MILLISECONDS / 2));
    // Down: not ready, alive, and no process gave up.
    expect(await probe('/readyz')).toBe(503);
    expect(await probe('/healthz')).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + DOWN_MILLISECONDS - Date.now())));
    expect(processes.filter((aiops) => aiops.child.exitCode !== null || aiops.child.signalCode !== null).map((aiops) => `${aiops.role} ${aiops.pid}\n${aiops.tail()}`)).toEqual([]);

    await server.start();
    const restartedAt = Date.now();
    await until(async () => (await probe('/readyz')) === 200, 'the bot ready again', 30_000);
    const after = [...(await around), ...(await Promise.all(GROUPS.map((group) => deliver(group, 'c'))))];
    await slack.restore();

    // Every alert acknowledged, before the restart or after, in Slack once: in one root message, named once there.
    const everything = [...before, ...after];
    const showing = (summary: string) => roots().filter((root) => root.channel === CHANNEL && root.text.includes(summary));
    await until(() => everything.every((delivery) => showing(delivery.summary).length > 0), 'every acknowledged alert in Slack', 45_000).catch((error: Error) => {
      throw new Error(`${error.message}; missing: ${everything.filter((delivery) => showing(delivery.summary).length === 0).map((delivery) => delivery.summary).join(', ')}\n${bot.tail(30)}`);
    });
    await until(async () => (await withRedis((redis) => redis.zcard('aiops:slack:outbox'))) === 0, 'the outbox drained', 30_000);
    for (const delivery of everything) {
      expect(showing(delivery.summary), delivery.summary).toHaveLength(1);
      expect(showing(delivery.summary)[0]!.text.split(delivery.summary).length - 1, delivery.summary).toBe(1);
    }
    // One root message per group's incident, and none twice: neither ours nor the simulated fault's.
    expect(new Set(everything.map((delivery) => showing(delivery.summary)[0]!.ts)).size).toBe(GROUPS.length);
    const rootCounts = new Map<string, number>();
    for (const root of roots()) rootCounts.set(incidentIdOf(root)!.event_payload!.incident_id!, (rootCounts.get(incidentIdOf(root)!.event_payload!.incident_id!) ?? 0) + 1);
    expect([...rootCounts].filter(([, count]) => count > 1)).toEqual([]);

    // The schedules run again: every service scored since the restart, by workers nobody restarted.
    await until(async () => (await scoredSince(restartedAt)).size === services.length, 'every service scored after the restart', 45_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: scored ${[...(await scoredSince(restartedAt))].join(', ')}\n${processes.map((aiops) => `${aiops.role} ${aiops.pid}:\n${aiops.tail(10)}`).join('\n')}`);
    });
    // As an operator sees it: every process back on its queues, every schedule there, nothing stuck.
    const reports = await jobsReport();
    expect(reports.find((report) => report.queue === QUEUE_NAMES.detection)).toMatchObject({ workers: 2, schedulers: services.length, stuckActive: [], stuckWaiting: [] });
    expect(workersByQueue(reports)).toEqual(workersBefore);
    expect(processes.filter((aiops) => aiops.child.exitCode !== null || aiops.child.signalCode !== null)).toEqual([]);
  }, 180_000);
});
