import { Queue } from 'bullmq';
import type { QueueConnection } from '../state/state.js';

export const QUEUE_NAMES = {
  /** One job per service per minute: score what arrived. */
  detection: 'aiops-detection',
  /** One job per service per day: retrain its multivariate model from history. */
  training: 'aiops-training',
  /** One job per service per minute: mine its new log lines into templates and judge the counts. */
  logs: 'aiops-logs',
} as const;

export interface ServiceJob {
  service: string;
}

export interface Queues {
  detection: Queue<ServiceJob>;
  training: Queue<ServiceJob>;
  logs: Queue<ServiceJob>;
  close(): Promise<void>;
}

export function createQueues(connection: QueueConnection): Queues {
  const options = {
    ...connection,
    // Keep a little history for operators, not every minute of every service forever.
    defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500, attempts: 3, backoff: { type: 'exponential', delay: 5_000 } },
  };
  const detection = new Queue<ServiceJob>(QUEUE_NAMES.detection, options);
  const training = new Queue<ServiceJob>(QUEUE_NAMES.training, options);
  const logs = new Queue<ServiceJob>(QUEUE_NAMES.logs, options);
  // A queue's errors are its connection's, reported by the state; unheard, BullMQ prints each with its stack.
  for (const queue of [detection, training, logs]) queue.on('error', () => undefined);
  return {
    detection,
    training,
    logs,
    close: async () => {
      await Promise.all([detection.close(), training.close(), logs.close()]);
    },
  };
}
