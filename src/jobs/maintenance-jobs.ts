import { Queue, Worker } from 'bullmq';
import type { Logger } from '../logger.js';
import type { QueueConnection } from '../state/state.js';

/** The bot role's periodic work, one BullMQ job scheduler each: however many bots run, each round runs once. */
export const MAINTENANCE_QUEUE = 'aiops-maintenance';

/** How often each task runs, and what its failure means to an operator. */
export const MAINTENANCE_TASKS = {
  /** Detector alerts never resolve themselves: quiet ones are settled. */
  settle: { everyMilliseconds: 60_000, failure: 'incidents not settled' },
  /** Held alerts are raised within this of their silence or maintenance window ending. */
  release: { everyMilliseconds: 5_000, failure: 'held alerts not released' },
  /** Open incidents are checked for the end of a group wait or maintenance, and for escalation rules. */
  sweep: { everyMilliseconds: 10_000, failure: 'incident messages not swept' },
  /** The capacity digest of the period that ended is posted once (it checks and claims its period itself). */
  digest: { everyMilliseconds: 60_000, failure: 'digest not posted' },
} as const;

export type MaintenanceTask = keyof typeof MAINTENANCE_TASKS;

/** What this process can do of each task; a task it cannot do (no Slack here) is left for a process that can. */
export type MaintenanceWork = Partial<Record<MaintenanceTask, () => Promise<unknown>>>;

export function createMaintenanceQueue(connection: QueueConnection): Queue {
  // One attempt: the next round comes within seconds, and a retry would only run beside it.
  const queue = new Queue(MAINTENANCE_QUEUE, { ...connection, defaultJobOptions: { attempts: 1, removeOnComplete: 10, removeOnFail: 50 } });
  queue.on('error', () => undefined);
  return queue;
}

/**
 * One scheduler per task asked for; schedulers of tasks no longer asked for (Slack unconfigured
 * since the last start) are removed. Idempotent, so every bot replica calls it at start-up.
 */
export async function syncMaintenanceSchedules(queue: Queue, tasks: readonly MaintenanceTask[], everyMilliseconds: Partial<Record<MaintenanceTask, number>> = {}): Promise<void> {
  await Promise.all(tasks.map((task) => queue.upsertJobScheduler(task, { every: everyMilliseconds[task] ?? MAINTENANCE_TASKS[task].everyMilliseconds }, { name: task })));
  for (const scheduler of await queue.getJobSchedulers()) {
    if (!tasks.includes(scheduler.key as MaintenanceTask)) await queue.removeJobScheduler(scheduler.key);
  }
}

/**
 * Runs the rounds that come due. A failing task is logged once until it works again, not every few
 * seconds: while Redis is gone, every round fails.
 */
export function startMaintenanceWorker(connection: QueueConnection, work: MaintenanceWork, logger: Logger): Worker {
  const failing = new Set<string>();
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      const task = work[job.name as MaintenanceTask];
      if (task) await task();
    },
    { ...connection, concurrency: 4 },
  );
  const describe = (name: string) => MAINTENANCE_TASKS[name as MaintenanceTask];
  worker.on('completed', (job) => {
    if (failing.delete(job.name)) logger.info({ task: job.name }, `${job.name} works again`);
  });
  worker.on('failed', (job, error) => {
    const task = job && describe(job.name);
    if (!job || !task || failing.has(job.name)) return;
    failing.add(job.name);
    logger.warn({ task: job.name, error: error.message }, `${task.failure} (Redis unreadable?); tried again every ${task.everyMilliseconds / 1000} s, said again once it works`);
  });
  worker.on('error', (error) => logger.error({ queue: MAINTENANCE_QUEUE, error: error.message }, 'worker error'));
  return worker;
}
