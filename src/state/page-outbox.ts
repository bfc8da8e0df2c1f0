import type { ChainableCommander, Redis } from 'ioredis';
import type { PageState } from '../alerts/page-plan.js';
import { DueSet, type DueEntry } from './due-set.js';

/** What a receiver was last told is kept as long as an incident's message reference: a month. */
const PAGE_STATE_SECONDS = 30 * 86_400;

/**
 * The durable queue between incident changes and the pagers (PagerDuty, Opsgenie), and what each
 * receiver was last told about each incident. The incident outbox marks an incident here in the
 * same transaction as its Slack mark (only when the catalogue pages anyone, so nothing piles up
 * unread); the pager works each due incident under a lease and takes it off only once every
 * receiver agrees with it, so a restart, a 429 or a pager outage delays a page but loses none,
 * and two bot replicas never page twice.
 *
 * Layout under the prefix: `paging:outbox` (with `:versions` and `:<id>:lease`, see DueSet);
 * `paging:pages:<id>` is a hash of receiver name to the state it was last told.
 */
export class PageOutbox {
  private readonly dueSet: DueSet;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.dueSet = new DueSet(redis, `${prefix}paging:outbox`);
  }

  private pagesKey(incidentId: string): string {
    return `${this.prefix}paging:pages:${incidentId}`;
  }

  queueMark(commands: ChainableCommander, incidentId: string, now: number): void {
    this.dueSet.queueMark(commands, incidentId, now);
  }

  /** Forgets pruned incidents in the caller's MULTI: their marks and their pages' states. */
  queueForget(commands: ChainableCommander, incidentIds: readonly string[]): void {
    if (incidentIds.length === 0) return;
    this.dueSet.queueForget(commands, incidentIds);
    commands.del(...incidentIds.map((id) => this.pagesKey(id)));
  }

  due(now: number, limit: number): Promise<DueEntry[]> {
    return this.dueSet.due(now, limit);
  }

  size(): Promise<number> {
    return this.dueSet.size();
  }

  complete(entry: DueEntry): Promise<void> {
    return this.dueSet.complete(entry);
  }

  retryAt(entry: DueEntry, at: number): Promise<void> {
    return this.dueSet.retryAt(entry, at);
  }

  exclusively(incidentId: string, leaseMilliseconds: number, work: () => Promise<void>): Promise<boolean> {
    return this.dueSet.exclusively(incidentId, leaseMilliseconds, work);
  }

  /** What each receiver was last told about the incident. */
  async states(incidentId: string): Promise<Record<string, PageState>> {
    return (await this.redis.hgetall(this.pagesKey(incidentId))) as Record<string, PageState>;
  }

  /** Records what a receiver was told; written only after the receiver took it. */
  async record(incidentId: string, receiver: string, state: PageState): Promise<void> {
    await this.redis.multi().hset(this.pagesKey(incidentId), receiver, state).expire(this.pagesKey(incidentId), PAGE_STATE_SECONDS).exec();
  }
}
