import { parseArgs } from 'node:util';
import { inputError, unexpectedArgument } from '../errors.js';
import type { QueueReport } from '../jobs/queue-report.js';
import { integerOption, type CommandIo } from './command-io.js';

export const JOBS_HELP = `usage: aiops jobs [--queue NAME] [--failed N] [--stuck-after MINUTES] [--json]

What the job queues hold, read from Redis (REDIS_URL, or through REDIS_SENTINELS) without changing
anything: per queue the waiting, active, delayed and failed counts, how many workers take it, its
schedules, the most recent failures with their reasons, and stuck jobs: active longer than
--stuck-after (a worker that hangs) or waiting that long with no worker on the queue. Exits 0 when
nothing is failed or stuck, 1 otherwise, so a cron job or a probe can alert on it.

  --queue         one queue (detection, training, logs, forecast, healing, healing-notices, maintenance); default all
  --failed        recent failures listed per queue (default 5, 0 for none)
  --stuck-after   minutes (default 5)
  --json          one JSON object {"queues": [...]} instead of text`;

export async function jobsCommand(argv: string[], io: CommandIo, environment: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { queue: { type: 'string' }, failed: { type: 'string' }, 'stuck-after': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(`${JOBS_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw unexpectedArgument('jobs', positionals[0]!);
  const { QUEUE_NAMES } = await import('../jobs/queues.js');
  const { HEALING_QUEUES } = await import('../jobs/healing-jobs.js');
  const { MAINTENANCE_QUEUE } = await import('../jobs/maintenance-jobs.js');
  const known: Record<string, string> = { ...QUEUE_NAMES, healing: HEALING_QUEUES.actions, 'healing-notices': HEALING_QUEUES.notices, maintenance: MAINTENANCE_QUEUE };
  if (values.queue !== undefined && !(values.queue in known)) throw inputError('--queue', `expected one of ${Object.keys(known).join(', ')}, got "${values.queue}"`);
  const failedShown = integerOption('--failed', values.failed, { minimum: 0, maximum: 100, fallback: 5 });
  const stuckAfter = integerOption('--stuck-after', values['stuck-after'], { minimum: 1, maximum: 10_080, fallback: 5 }) * 60_000;
  const names = values.queue === undefined ? Object.values(known) : [known[values.queue]!];

  const { loadConfig } = await import('../config.js');
  const config = loadConfig(environment);
  const { Queue } = await import('bullmq');
  const { connectRedis, createQueueRedis, KEY_PREFIX } = await import('../state/redis.js');
  const { queueConnection } = await import('../state/state.js');
  const { queueReport } = await import('../jobs/queue-report.js');
  const redis = createQueueRedis(config.redis);
  await connectRedis(redis, config.redis);
  const queues = names.map((name) => new Queue(name, queueConnection(redis, KEY_PREFIX)));
  try {
    const reports = await Promise.all(queues.map((queue) => queueReport(queue, { now: io.now(), failedShown, stuckAfter })));
    io.stdout.write(values.json ? `${JSON.stringify({ queues: reports })}\n` : reports.map((report) => describeQueue(report, io.now())).join('\n'));
    return reports.some((report) => report.counts.failed > 0 || report.stuckActive.length > 0 || report.stuckWaiting.length > 0) ? 1 : 0;
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
    redis.disconnect();
  }
}

function describeQueue(report: QueueReport, now: number): string {
  const { counts } = report;
  const lines = [
    `${report.queue}: ${counts.waiting} waiting, ${counts.active} active, ${counts.delayed} delayed, ${counts.failed} failed, ${counts.completed} completed kept; ${report.workers} worker${report.workers === 1 ? '' : 's'}, ${report.schedulers} schedule${report.schedulers === 1 ? '' : 's'}`,
  ];
  const ago = (at: number | undefined) => (at === undefined ? '' : `, ${Math.max(0, Math.round((now - at) / 60_000))} min ago`);
  const line = (job: QueueReport['failed'][number]) => `${job.name}${job.subject ? ` (${job.subject})` : ''} #${job.id}, attempt ${job.attempts}${ago(job.at)}${job.reason ? `: ${job.reason}` : ''}`;
  for (const job of report.failed) lines.push(`  failed: ${line(job)}`);
  for (const job of report.stuckActive) lines.push(`  stuck, running since: ${line(job)}`);
  for (const job of report.stuckWaiting) lines.push(`  stuck, waiting with no worker: ${line(job)}`);
  return `${lines.join('\n')}\n`;
}
