import { Queue, Worker } from 'bullmq';
import type { Healing, HealingNotice, ProposalInput } from '../healing/healing.js';
import type { Logger } from '../logger.js';
import type { QueueConnection } from '../state/state.js';
import type { QueueRateLimit } from '../worker-queues.js';

export const HEALING_QUEUES = {
  /** Runs approved requests and verifies them; the job id is the request id, so one request is one job. */
  actions: 'aiops-healing',
  /** What became of a request, for the process that talks to Slack. */
  notices: 'aiops-healing-notices',
} as const;

export type HealingJob = { kind: 'execute' | 'verify'; id: string } | { kind: 'propose'; input: ProposalInput };

/** A claim and a BullMQ lock last this long: a worker killed mid-action hands its request over after it. */
export const HEALING_LOCK_MILLISECONDS = 30_000;

export interface HealingQueues {
  actions: Queue<HealingJob>;
  notices: Queue<HealingNotice>;
  close(): Promise<void>;
}

export function createHealingQueues(connection: QueueConnection): HealingQueues {
  const options = { ...connection, defaultJobOptions: { removeOnComplete: 1_000, removeOnFail: 1_000, attempts: 5, backoff: { type: 'exponential', delay: 5_000 } } };
  const actions = new Queue<HealingJob>(HEALING_QUEUES.actions, options);
  const notices = new Queue<HealingNotice>(HEALING_QUEUES.notices, options);
  for (const queue of [actions, notices]) queue.on('error', () => undefined);
  return { actions, notices, close: async () => void (await Promise.all([actions.close(), notices.close()])) };
}

/**
 * The jobs Healing schedules. `clockSpeed` turns the sources' delays into real ones (the simulated
 * world may run faster than time). A request already queued keeps its one job: BullMQ ignores a
 * second job with the same id, and the state machine ignores a second run in any case.
 */
export function healingJobs(queues: HealingQueues, clockSpeed = 1) {
  return {
    propose: async (input: ProposalInput) => void (await queues.actions.add('propose', { kind: 'propose', input })),
    execute: async (id: string) => void (await queues.actions.add('execute', { kind: 'execute', id }, { jobId: id })),
    verify: async (id: string, afterMilliseconds: number) => void (await queues.actions.add('verify', { kind: 'verify', id }, { jobId: `${id}-verify`, delay: Math.round(afterMilliseconds / clockSpeed) })),
    notify: async (notice: HealingNotice) => void (await queues.notices.add(notice.kind, notice)),
  };
}

/** Runs and verifies requests. A job that finds its request held by a live worker fails, and BullMQ tries it again later. */
export function startHealingWorker(connection: QueueConnection, healing: Healing, logger: Logger, options: { concurrency?: number; rateLimit?: QueueRateLimit } = {}): Worker<HealingJob> {
  const worker = new Worker<HealingJob>(HEALING_QUEUES.actions, async (job) => {
      const data = job.data;
      if (data.kind === 'propose') return void (await healing.propose(data.input));
      return data.kind === 'execute' ? healing.execute(data.id) : healing.verify(data.id);
    }, {
    ...connection,
    concurrency: options.concurrency ?? 2,
    lockDuration: HEALING_LOCK_MILLISECONDS,
    stalledInterval: HEALING_LOCK_MILLISECONDS,
    ...(options.rateLimit ? { limiter: { max: options.rateLimit.max, duration: options.rateLimit.durationMilliseconds } } : {}),
  });
  worker.on('failed', (job, error) => logger.warn({ queue: HEALING_QUEUES.actions, request: job && 'id' in job.data ? job.data.id : undefined, kind: job?.data.kind, attempt: job?.attemptsMade, error: error.message }, 'healing job failed'));
  worker.on('error', (error) => logger.error({ queue: HEALING_QUEUES.actions, error: error.message }, 'worker error'));
  return worker;
}

/** Delivers notices to Slack, one at a time so a request's message is edited in order. */
export function startHealingNoticeWorker(connection: QueueConnection, deliver: (notice: HealingNotice) => Promise<void>, logger: Logger): Worker<HealingNotice> {
  const worker = new Worker<HealingNotice>(HEALING_QUEUES.notices, async (job) => deliver(job.data), { ...connection, concurrency: 1 });
  worker.on('failed', (job, error) => logger.warn({ queue: HEALING_QUEUES.notices, request: job && 'record' in job.data ? job.data.record.id : undefined, attempt: job?.attemptsMade, error: error.message }, 'healing notice not delivered'));
  worker.on('error', (error) => logger.error({ queue: HEALING_QUEUES.notices, error: error.message }, 'worker error'));
  return worker;
}
