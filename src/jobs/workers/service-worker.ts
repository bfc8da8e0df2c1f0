import { UnrecoverableError, Worker } from 'bullmq';
import { isUserError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { QueueConnection } from '../../state/state.js';
import type { QueueRateLimit } from '../../worker-queues.js';
import type { ServiceJob } from '../queues.js';

export interface ServiceWorkerOptions {
  queueName: string;
  /** The queues' connection, from the state (see openState). */
  connection: QueueConnection;
  logger: Logger;
  /** Jobs this process runs at once (default 4: detection waits on I/O more than on CPU). */
  concurrency?: number;
  /** At most this many of the queue's jobs start per period, across every worker (BullMQ's limiter, kept in Redis). */
  rateLimit?: QueueRateLimit;
  /** How long a job's lock lasts before another worker may take it over, ms (default 30 000). */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for, ms (default 30 000). */
  stalledInterval?: number;
  /** The domain work for one service (and, for forecasts, one signal). */
  process: (service: string, signal?: string) => Promise<unknown>;
}

/**
 * Runs the domain work; a failure no retry can mend (a service or signal that does not exist, a bad
 * setting: isUserError) is marked unrecoverable so BullMQ fails the job at once instead of trying
 * it again with backoff and logging the same error each time.
 */
async function runOnce<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUserError(error)) throw new UnrecoverableError((error as Error).message);
    throw error;
  }
}

/**
 * A BullMQ worker that only translates a job into a call of the domain: all logic lives in
 * `process`. A worker that dies mid-job leaves the job locked until its lock expires; BullMQ's
 * stalled-job check then hands it to another worker.
 */
export function startServiceWorker(options: ServiceWorkerOptions): Worker<ServiceJob> {
  const worker = new Worker<ServiceJob>(options.queueName, async (job) => runOnce(() => options.process(job.data.service, job.data.signal)), {
    ...options.connection,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
    ...(options.rateLimit ? { limiter: { max: options.rateLimit.max, duration: options.rateLimit.durationMilliseconds } } : {}),
  });
  worker.on('failed', (job, error) => {
    const permanent = error instanceof UnrecoverableError;
    options.logger.error({ queue: options.queueName, service: job?.data.service, attempt: job?.attemptsMade, permanent, error: error.message }, permanent ? 'job failed for good: not retried' : 'job failed');
  });
  worker.on('error', (error) => options.logger.error({ queue: options.queueName, error: error.message }, 'worker error'));
  return worker;
}
