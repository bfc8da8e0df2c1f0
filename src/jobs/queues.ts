import { Queue } from 'bullmq';
import type { QueueConnection } from '../state/state.js';

export const QUEUE_NAMES = {
  /** One job per service per minute: score what arrived. */
  detection: 'aiops-detection',
  /** One job per service per day: retrain its multivariate model from history. */
  training: 'aiops-training',
  /** One job per service per minute: mine its new log lines into templates and judge the counts. */
  logs: 'aiops-logs',
  /** One job per service and signal per hour: forecast a week ahead and keep it for App Home, the agent and the digest. */
  forecast: 'aiops-forecast',
} as const;

export interface ServiceJob {
  service: string;
  /** Forecast jobs only: the signal forecast. */
  signal?: string;
}

export interface Queues {
  detection: Queue<ServiceJob>;
  training: Queue<ServiceJob>;
  logs: Queue<ServiceJob>;
  forecast: Queue<ServiceJob>;
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
  const forecast = new Queue<ServiceJob>(QUEUE_NAMES.forecast, options);
  // A queue's errors are its connection's, reported by the state; unheard, BullMQ prints each with its stack.
  for (const queue of [detection, training, logs, forecast]) queue.on('error', () => undefined);
  return {
    detection,
    training,
    logs,
    forecast,
    close: async () => {
      await Promise.all([detection.close(), training.close(), logs.close(), forecast.close()]);
    },
  };
}
