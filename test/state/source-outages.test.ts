import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SourceOutages } from '../../src/state/source-outages.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
const prefix = `test:${randomUUID()}:`;
const MINUTE = 60_000;
const T = Date.UTC(2026, 0, 5, 10, 0, 0);
const outage = (since: number, error = 'prometheus: range query failed: connect ECONNREFUSED 127.0.0.1:9090') => ({
  source: 'metrics',
  backend: 'prometheus',
  hint: 'check PROMETHEUS_URL',
  since,
  error,
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(() => {
  redis.disconnect();
});

describe('SourceOutages', () => {
  it('records an outage for the first failing pass only, and keeps its start for the others', async () => {
    const outages = new SourceOutages(redis, prefix);
    // Two processes failing at once: exactly one of them recorded it.
    const [one, other] = await Promise.all([outages.down(outage(T)), outages.down(outage(T))]);
    expect([one.first, other.first].sort()).toEqual([false, true]);
    const later = await outages.down(outage(T + MINUTE, 'prometheus: range query timed out'));
    expect(later).toEqual({ first: false, outage: outage(T) });
    expect(await outages.current('metrics')).toEqual(outage(T));
    expect(await outages.current('logs')).toBeUndefined();
  });

  it('ends it for the one pass that reads the source again, and refuses a failure older than that', async () => {
    const outages = new SourceOutages(redis, prefix);
    expect(await outages.up('metrics', T)).toEqual({ recent: [] });
    await outages.down(outage(T));
    const ends = await Promise.all([outages.up('metrics', T + 5 * MINUTE), outages.up('metrics', T + 5 * MINUTE)]);
    expect(ends.map((end) => end.ended).filter(Boolean)).toEqual([outage(T)]);
    expect(ends.map((end) => end.recent)).toEqual([[{ from: T, to: T + 5 * MINUTE }], [{ from: T, to: T + 5 * MINUTE }]]);
    expect(await outages.current('metrics')).toBeUndefined();
    expect(await outages.up('metrics', T + 6 * MINUTE)).toEqual({ recent: [{ from: T, to: T + 5 * MINUTE }] });

    // A pass that started before the recovery and failed only now opens nothing.
    expect(await outages.down(outage(T + 4 * MINUTE))).toEqual({ first: false });
    expect(await outages.down(outage(T + 5 * MINUTE))).toEqual({ first: false });
    expect(await outages.current('metrics')).toBeUndefined();
    // A pass that started after it is a new outage; once over, both are remembered, latest first.
    expect(await outages.down(outage(T + 7 * MINUTE))).toEqual({ first: true, outage: outage(T + 7 * MINUTE) });
    expect(await outages.up('metrics', T + 9 * MINUTE)).toEqual({
      ended: outage(T + 7 * MINUTE),
      recent: [
        { from: T + 7 * MINUTE, to: T + 9 * MINUTE },
        { from: T, to: T + 5 * MINUTE },
      ],
    });
  });

  it('bounds what it keeps: one key per source, refreshed while an outage lasts, a few outages of the last day', async () => {
    const outages = new SourceOutages(redis, prefix, { ttlSeconds: 3_600, recentLimit: 3 });
    const key = `${prefix}source-outage:metrics`;
    await outages.down(outage(T));
    await redis.expire(key, 50);
    await outages.down(outage(T + MINUTE));
    expect(await redis.ttl(key)).toBeGreaterThan(3_590);
    for (let index = 0; index < 5; index += 1) {
      await outages.down(outage(T + (10 * index + 2) * MINUTE));
      await outages.up('metrics', T + (10 * index + 4) * MINUTE);
    }
    const { recent } = await outages.up('metrics', T + 50 * MINUTE);
    expect(recent.map((window) => (window.from - T) / MINUTE)).toEqual([42, 32, 22]);
    // Outages that ended longer ago than the memory are dropped at the next one.
    await outages.down(outage(T + 120 * MINUTE));
    expect((await outages.up('metrics', T + 122 * MINUTE)).recent.map((window) => (window.from - T) / MINUTE)).toEqual([120]);
    expect(await redis.ttl(key)).toBeGreaterThan(3_590);
    expect(await redis.keys(`${prefix}*`)).toEqual([key]);
  });
});
