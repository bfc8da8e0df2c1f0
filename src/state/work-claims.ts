import type { Redis } from 'ioredis';
import { claimOnce, withLease } from './once.js';

/** The work a worker holds a service for: a detection pass, or a log-mining pass. */
export type LeasedTask = 'detect' | 'logs' | 'once';

/** A finding raised is remembered this long, so a retried or replayed pass never raises it again. */
const EMITTED_TTL_SECONDS = 7 * 86_400;

/**
 * What keeps the workers' work from running twice, shared by every worker. Layout under the
 * prefix: `emitted:<finding id>` marks an anomaly or a log finding raised (a week), and
 * `lease:<task>:<service>` is held while one worker runs that task on that service, and `done:<key>`
 * marks a once-only task (a digest) done, for a week.
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

  /** True for the first caller within `seconds`, across every process: a double click on a button that posts is answered once. */
  firstWithin(key: string, seconds: number): Promise<boolean> {
    return claimOnce(this.redis, `${this.prefix}recent:${key}`, seconds);
  }

  /**
   * Runs `work` at most once for `key` across every process: under a lease, and only while no
   * marker says it was done. A `work` that throws leaves no marker, so a later call tries again.
   */
  async onceFor(key: string, leaseMilliseconds: number, work: () => Promise<void>): Promise<boolean> {
    const done = `${this.prefix}done:${key}`;
    const outcome = await withLease(this.redis, `${this.prefix}lease:once:${key}`, leaseMilliseconds, async () => {
      if ((await this.redis.exists(done)) === 1) return false;
      await work();
      await this.redis.set(done, '1', 'EX', EMITTED_TTL_SECONDS);
      return true;
    });
    return outcome.ran && outcome.result;
  }

  /** Runs `work` unless another worker holds the service for the task (see withLease: renewed up to `holdMilliseconds`). */
  exclusively<T>(task: LeasedTask, service: string, leaseMilliseconds: number, work: () => Promise<T>, holdMilliseconds?: number): Promise<{ ran: true; result: T } | { ran: false }> {
    return withLease(this.redis, `${this.prefix}lease:${task}:${service}`, leaseMilliseconds, work, holdMilliseconds);
  }
}
