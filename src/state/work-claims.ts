import type { Redis } from 'ioredis';
import { claimOnce, withLease } from './once.js';

/** The work a worker holds a service for: a detection pass, or a log-mining pass. */
export type LeasedTask = 'detect' | 'logs';

/** A finding raised is remembered this long, so a retried or replayed pass never raises it again. */
const EMITTED_TTL_SECONDS = 7 * 86_400;

/**
 * What keeps the workers' work from running twice, shared by every worker. Layout under the
 * prefix: `emitted:<finding id>` marks an anomaly or a log finding raised (a week), and
 * `lease:<task>:<service>` is held while one worker runs that task on that service.
 */
export class WorkClaims {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** True for the first caller only: the finding is raised once, whichever worker finds it and however often. */
  firstEmission(findingId: string): Promise<boolean> {
    return claimOnce(this.redis, `${this.prefix}emitted:${findingId}`, EMITTED_TTL_SECONDS);
  }

  /** Runs `work` unless another worker holds the service for the task (see withLease). */
  exclusively<T>(task: LeasedTask, service: string, leaseMilliseconds: number, work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
    return withLease(this.redis, `${this.prefix}lease:${task}:${service}`, leaseMilliseconds, work);
  }
}
