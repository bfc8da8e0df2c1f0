import type { Redis } from 'ioredis';
import { claimOnce } from './once.js';

/** Slack retries an event it thinks we missed; the same event_id within this long is a retry. */
const EVENT_MEMORY_SECONDS = 3_600;

/**
 * Slack's events by id, so that each is answered once across every bot process: Slack retries
 * unacknowledged or slow events with the same event_id. Layout under the prefix: `slack:event:<id>`.
 */
export class SlackDeliveries {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** True for the first delivery of the event, false for every retry of it. */
  first(eventId: string): Promise<boolean> {
    return claimOnce(this.redis, `${this.prefix}slack:event:${eventId}`, EVENT_MEMORY_SECONDS);
  }
}
