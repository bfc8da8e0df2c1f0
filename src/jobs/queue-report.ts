import { redactSecrets } from '../redact-secrets.js';

/** What `aiops jobs` reads of one BullMQ queue; bullmq's Queue fits. */
export interface InspectableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  getWorkersCount(): Promise<number>;
  getJobSchedulersCount(): Promise<number>;
  getFailed(start?: number, end?: number): Promise<InspectedJob[]>;
  getActive(start?: number, end?: number): Promise<InspectedJob[]>;
  getWaiting(start?: number, end?: number): Promise<InspectedJob[]>;
}

/** The fields of a BullMQ job the report shows. */
export interface InspectedJob {
  id?: string;
  name: string;
  data: unknown;
  attemptsMade: number;
  failedReason?: string;
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
}

export interface JobLine {
  id: string;
  name: string;
  /** The service (and signal) the job is about, when it names one. */
  subject?: string;
  attempts: number;
  /** Why it failed, one line, secrets redacted. */
  reason?: string;
  /** When it failed, started or was queued (ms), whichever the list is about. */
  at?: number;
}

export interface QueueReport {
  queue: string;
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number; paused: number; prioritized: number };
  workers: number;
  schedulers: number;
  /** The most recent failures, newest first. */
  failed: JobLine[];
  /** Running longer than stuckAfter: a worker that hangs, or one that died without its lock expiring yet. */
  stuckActive: JobLine[];
  /** Queued longer than stuckAfter with no worker on the queue: nothing will take them. */
  stuckWaiting: JobLine[];
}

export interface QueueReportOptions {
  now: number;
  /** How many recent failures to list (default 5). */
  failedShown?: number;
  /** A job active or waiting longer than this (ms) is stuck (default 5 minutes). */
  stuckAfter?: number;
}

/** How far into a queue's active and waiting lists the report looks for stuck jobs. */
const SCANNED = 200;
const REASON_CHARACTERS = 200;

/** Counts, workers, schedulers, recent failures and stuck jobs of one queue: what an operator asks first. */
export async function queueReport(queue: InspectableQueue, options: QueueReportOptions): Promise<QueueReport> {
  const stuckAfter = options.stuckAfter ?? 5 * 60_000;
  const failedShown = options.failedShown ?? 5;
  const [counts, workers, schedulers, failed, active] = await Promise.all([
    queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'paused', 'prioritized'),
    queue.getWorkersCount(),
    queue.getJobSchedulersCount(),
    failedShown > 0 ? queue.getFailed(0, failedShown - 1) : Promise.resolve([]),
    queue.getActive(0, SCANNED - 1),
  ]);
  // Waiting jobs only stall when nobody works the queue; with workers they are a backlog, which the counts show.
  const waiting = workers === 0 ? await queue.getWaiting(0, SCANNED - 1) : [];
  const count = (type: string) => counts[type] ?? 0;
  return {
    queue: queue.name,
    counts: { waiting: count('waiting'), active: count('active'), delayed: count('delayed'), failed: count('failed'), completed: count('completed'), paused: count('paused'), prioritized: count('prioritized') },
    workers,
    schedulers,
    failed: failed.filter(Boolean).map((job) => jobLine(job, job.finishedOn)),
    stuckActive: active.filter((job) => job && job.processedOn !== undefined && options.now - job.processedOn > stuckAfter).map((job) => jobLine(job, job.processedOn)),
    stuckWaiting: waiting.filter((job) => job && options.now - job.timestamp > stuckAfter).map((job) => jobLine(job, job.timestamp)),
  };
}

function jobLine(job: InspectedJob, at: number | undefined): JobLine {
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown>;
  const subject = typeof data.service === 'string' ? (typeof data.signal === 'string' ? `${data.service} ${data.signal}` : data.service) : undefined;
  const reason = job.failedReason ? redactSecrets(job.failedReason.split('\n')[0]!).slice(0, REASON_CHARACTERS) : undefined;
  return { id: job.id ?? '?', name: job.name, ...(subject ? { subject } : {}), attempts: job.attemptsMade, ...(reason ? { reason } : {}), ...(at === undefined ? {} : { at }) };
}
