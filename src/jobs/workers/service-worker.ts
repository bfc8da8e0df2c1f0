import { Worker } from 'bullmq';
import type { Logger } from '../../logger.js';
import type { QueueConnection } from '../../state/state.js';
import type { ServiceJob } from '../queues.js';

export interface ServiceWorkerOptions {
  queueName: string;
  /** The queues' connection, from the state (see openState). */
  connection: QueueConnection;
  logger: Logger;
  /** Jobs this process runs at once (default 4: detection waits on I/O more than on CPU). */
  concurrency?: number;
  /** How long a job's lock lasts before another worker may take it over, ms (default 30 000). */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for, ms (default 30 000). */
  stalledInterval?: number;
  /** The domain work for one service (and, for forecasts, one signal). */
  process: (service: string, signal?: string) => Promise<unknown>;
}

/**
 * A BullMQ worker that only translates a job into a call of the domain: all logic lives in
 * `process`. A worker that dies mid-job leaves the job locked until its lock expires; BullMQ's
 * stalled-job check then hands it to another worker.
 */
export function startServiceWorker(options: ServiceWorkerOptions): Worker<ServiceJob> {
  const worker = new Worker<ServiceJob>(options.queueName, async (job) => options.process(job.data.service, job.data.signal), {
    ...options.connection,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 30_000,
  });
  worker.on('failed', (job, error) => {
    options.logger.error({ queue: options.queueName, service: job?.data.service, attempt: job?.attemptsMade, error: error.message }, 'job failed');
  });
  worker.on('error', (error) => options.logger.error({ queue: options.queueName, error: error.message }, 'worker error'));
  return worker;
}
