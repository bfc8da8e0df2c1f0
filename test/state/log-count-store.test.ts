import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LogCountStore } from '../../src/state/log-count-store.js';
import { MinedLogs } from '../../src/state/mined-logs.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
afterAll(() => redis.disconnect());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

/** `lines` of template `a` in every minute from `from` up to `to`, and one of `b` each hour. */
function perMinute(from: number, to: number, lines: number): Map<number, Map<string, number>> {
  const counts = new Map<number, Map<string, number>>();
  for (let minute = from; minute < to; minute += MINUTE) counts.set(minute, new Map([['a', lines], ...(minute % HOUR === 0 ? [['b', 1] as [string, number]] : [])]));
  return counts;
}

async function save(store: LogCountStore, service: string, counts: Map<number, Map<string, number>>): Promise<void> {
  const transaction = redis.multi();
  store.add(transaction, service, counts);
  await transaction.exec();
}

const total = (buckets: Array<{ counts: Record<string, number> }>, template: string) => buckets.reduce((sum, bucket) => sum + (bucket.counts[template] ?? 0), 0);

describe('log counts', () => {
  it('keeps minutes for the recent hours and hourly totals for two days, both expiring on their own', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new LogCountStore(redis, prefix);
    await save(store, 'cart', perMinute(NOW - 2 * HOUR, NOW, 3));
    const minutes = await store.range('cart', NOW - 2 * HOUR, NOW, MINUTE);
    expect(minutes).toHaveLength(120);
    expect(minutes[0]).toEqual({ bucketStart: NOW - 2 * HOUR, counts: { a: 3, b: 1 } });
    const minuteTtl = await redis.ttl(`${prefix}logs:counts:cart:${NOW - MINUTE}`);
    const hourTtl = await redis.ttl(`${prefix}logs:hourly:cart:${NOW - HOUR}`);
    expect(minuteTtl).toBeGreaterThan(3 * 3_600 - 60);
    expect(minuteTtl).toBeLessThanOrEqual(3 * 3_600);
    expect(hourTtl).toBeGreaterThan(47 * 3_600);
    expect(await redis.hgetall(`${prefix}logs:hourly:cart:${NOW - HOUR}`)).toEqual({ a: '180', b: '1' });
  });

  it('reads a long span as whole hours and the part hours at its ends by the minute, the same lines as reading every minute', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new LogCountStore(redis, prefix);
    // Saved in pages that split hours, as mining does.
    await save(store, 'cart', perMinute(NOW - 5 * HOUR, NOW - 150 * MINUTE, 2));
    await save(store, 'cart', perMinute(NOW - 150 * MINUTE, NOW, 2));
    const start = NOW - 4 * HOUR - 17 * MINUTE;
    const end = NOW - 9 * MINUTE;
    const span = await store.span('cart', start, end, MINUTE);
    expect(span.length).toBe(17 + 3 + 51);
    expect(total(span, 'a')).toBe(total(await store.range('cart', start, end, MINUTE), 'a'));
    expect(total(span, 'a')).toBe(2 * ((end - start) / MINUTE));
    expect(total(span, 'b')).toBe(4);
  });

  it('expires at the simulated clock\'s pace: two simulated days at 60× are 48 real minutes', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new LogCountStore(redis, prefix, { clockSpeed: 60 });
    await save(store, 'cart', perMinute(NOW - MINUTE, NOW, 1));
    expect(await redis.ttl(`${prefix}logs:counts:cart:${NOW - MINUTE}`)).toBeLessThanOrEqual(3 * 60);
    expect(await redis.ttl(`${prefix}logs:hourly:cart:${NOW - HOUR}`)).toBeLessThanOrEqual(48 * 60);
    expect(() => new LogCountStore(redis, prefix, { clockSpeed: 0 })).toThrow('clockSpeed: expected a positive number, got 0');
  });

  it('summarises a day from hourly totals once the minutes are gone, starting on the hour', async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = new LogCountStore(redis, prefix);
    await save(store, 'cart', perMinute(NOW - 26 * HOUR, NOW, 1));
    // The minutes older than three hours expire in Redis; here they are deleted to the same effect.
    const old: string[] = [];
    for (let minute = NOW - 26 * HOUR; minute < NOW - 3 * HOUR; minute += MINUTE) old.push(`${prefix}logs:counts:cart:${minute}`);
    await redis.del(...old);
    const summary = await new MinedLogs(redis, prefix).templateSummary('cart', { now: NOW + 30 * 1000 - 7 * MINUTE, minutes: 1440 });
    expect(summary.start).toBe(NOW - 25 * HOUR);
    expect(summary.end).toBe(NOW - 7 * MINUTE);
    const row = summary.rows.find((candidate) => candidate.templateId === 'a')!;
    expect(row.count).toBe(25 * 60 - 7);
    // The baseline (the hour before) ran at the same rate: no change.
    expect(row.baselineCount).toBeCloseTo(25 * 60 - 7, 6);
  });
});
