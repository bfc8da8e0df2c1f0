import { inputError, type AiopsError } from './errors.js';

/** How a bad value is reported: inputError for a flag, configError for an environment variable. */
export type SettingFailure = (field: string, expected: string) => AiopsError;

/**
 * The queues a worker process can run, by the names users give them (`aiops worker --queues`).
 * Investigations and Slack notifications are not among them: they answer a person within
 * seconds over the Slack connection, which only the bot role holds.
 */
export const WORKER_QUEUES = ['detection', 'training', 'forecast', 'logs', 'healing'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

/** BullMQ's limiter: at most `max` jobs of the queue start per `durationMilliseconds`, across every worker. */
export interface QueueRateLimit {
  max: number;
  durationMilliseconds: number;
}

/** How this process runs its queues; what is left out keeps the built-in default. */
export interface WorkerSettings {
  queues: readonly WorkerQueue[];
  concurrency: Partial<Record<WorkerQueue, number>>;
  rateLimits: Partial<Record<WorkerQueue, QueueRateLimit>>;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = { queues: WORKER_QUEUES, concurrency: {}, rateLimits: {} };

const EXPECTED_QUEUES = `expected a comma-separated list of ${WORKER_QUEUES.join(', ')}`;

/** `detection,logs`: each name checked, none twice; `field` names the flag or variable in the error. */
export function parseWorkerQueues(text: string, field: string, failure: SettingFailure = inputError): WorkerQueue[] {
  const names = text.split(',').map((name) => name.trim());
  const queues: WorkerQueue[] = [];
  for (const name of names) {
    if (!isWorkerQueue(name)) throw failure(field, `${EXPECTED_QUEUES}; got ${name === '' ? 'an empty entry' : `"${name}"`}`);
    if (queues.includes(name)) throw failure(field, `${EXPECTED_QUEUES}, each once; got "${name}" twice`);
    queues.push(name);
  }
  return queues;
}

/** `detection=8,logs=2`: jobs each queue runs at once in this process, 1 to 256. */
export function parseQueueConcurrency(text: string, field: string, failure: SettingFailure = inputError): Partial<Record<WorkerQueue, number>> {
  const expected = `expected queue=jobs pairs like detection=8,logs=2 (jobs a whole number from 1 to 256; queues ${WORKER_QUEUES.join(', ')})`;
  return parsePairs(text, field, expected, failure, (value) => {
    const jobs = Number(value);
    return /^\d+$/.test(value) && jobs >= 1 && jobs <= 256 ? jobs : undefined;
  });
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `forecast=30/1m,training=5/1h`: at most that many jobs of the queue start per period, across every worker. */
export function parseQueueRateLimits(text: string, field: string, failure: SettingFailure = inputError): Partial<Record<WorkerQueue, QueueRateLimit>> {
  const expected = `expected queue=jobs/period pairs like forecast=30/1m (period in s, m or h; queues ${WORKER_QUEUES.join(', ')})`;
  return parsePairs(text, field, expected, failure, (value) => {
    const match = /^(\d+)\/(\d+)([smh])$/.exec(value);
    if (!match) return undefined;
    const max = Number(match[1]);
    const durationMilliseconds = Number(match[2]) * DURATION_UNITS[match[3]!]!;
    return max >= 1 && durationMilliseconds >= 1_000 ? { max, durationMilliseconds } : undefined;
  });
}

function parsePairs<T>(text: string, field: string, expected: string, failure: SettingFailure, parse: (value: string) => T | undefined): Partial<Record<WorkerQueue, T>> {
  const settings: Partial<Record<WorkerQueue, T>> = {};
  for (const entry of text.split(',').map((part) => part.trim())) {
    const [name, value, ...rest] = entry.split('=').map((part) => part.trim());
    const parsed = value === undefined || rest.length > 0 ? undefined : parse(value);
    if (!isWorkerQueue(name ?? '') || parsed === undefined) throw failure(field, `${expected}; got ${entry === '' ? 'an empty entry' : `"${entry}"`}`);
    if (settings[name as WorkerQueue] !== undefined) throw failure(field, `${expected}, each queue once; got "${name}" twice`);
    settings[name as WorkerQueue] = parsed;
  }
  return settings;
}

function isWorkerQueue(name: string): name is WorkerQueue {
  return (WORKER_QUEUES as readonly string[]).includes(name);
}
