import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/alerts/change-event.js';
import { ChangeEventStore } from '../../src/state/change-event-store.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
afterAll(() => redis.disconnect());

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 15, 0, 0);

function event(service: string, id: string, at: number, kind: ChangeEvent['kind'] = 'deploy'): ChangeEvent {
  return { id, service, kind, description: `${id} on ${service}`, at, origin: 'generic' };
}

describe('the change-event store', () => {
  it('stores each event once per service and id, answers newest first from a time on, and keeps its keys under the prefix', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new ChangeEventStore(redis, prefix);
    const first = event('payment', 'release-1', NOW - 60 * 60_000);
    const second = event('payment', 'flag-7', NOW - 5 * 60_000, 'feature-flag');
    expect(await store.record([first, second, event('cart', 'release-1', NOW - 2 * 60_000)])).toEqual({ stored: 3, duplicates: 0, expired: 0 });
    // The sender retries the whole delivery, with a changed description: the id decides, and nothing changes.
    expect(await store.record([{ ...first, description: 'changed' }, second])).toEqual({ stored: 0, duplicates: 2, expired: 0 });
    expect(await store.since('payment', NOW - DAY)).toEqual([second, first]);
    expect(await store.since('payment', NOW - 10 * 60_000)).toEqual([second]);
    expect(await store.since('shipping', NOW - DAY)).toEqual([]);
    expect((await redis.keys(`${prefix}*`)).sort()).toEqual([`${prefix}change-events:cart`, `${prefix}change-events:cart:bodies`, `${prefix}change-events:payment`, `${prefix}change-events:payment:bodies`]);
    expect(await redis.pttl(`${prefix}change-events:payment`)).toBeGreaterThan(6 * DAY);
  });

  it('keeps 7 days back from the newest event, and the newest events when a service has too many', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new ChangeEventStore(redis, prefix, { maximumPerService: 3 });
    await store.record([event('payment', 'old', NOW - 6 * DAY)]);
    // A week later: the old one goes, and one older than the retention is not taken at all.
    expect(await store.record([event('payment', 'new', NOW + DAY + 60_000), event('payment', 'ancient', NOW - 30 * DAY)])).toEqual({ stored: 1, duplicates: 0, expired: 1 });
    expect((await store.since('payment', 0)).map((each) => each.id)).toEqual(['new']);
    expect(await redis.hlen(`${prefix}change-events:payment:bodies`)).toBe(1);
    await store.record([1, 2, 3, 4].map((minute) => event('payment', `release-${minute}`, NOW + DAY + (minute + 1) * 60_000)));
    expect((await store.since('payment', 0)).map((each) => each.id)).toEqual(['release-4', 'release-3', 'release-2']);
    expect(await redis.hlen(`${prefix}change-events:payment:bodies`)).toBe(3);
  });
});
