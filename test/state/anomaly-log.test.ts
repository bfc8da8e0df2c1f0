import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
afterAll(() => redis.disconnect());

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

function anomaly(service: string, detectedAt: number): Anomaly {
  return { id: `${service}:anomaly:${detectedAt}`, kind: 'anomaly', service, signals: ['cpu'], score: 0.9, severity: 'warning', detectedAt, evidence: { start: detectedAt - 10 * 60_000, end: detectedAt }, summary: `${service} cpu` };
}

describe('the anomaly log', () => {
  it('answers a service\'s overlapping anomalies from that service\'s own index, and keeps it no longer than a day', async () => {
    const prefix = `test:${randomUUID()}:`;
    const log = new AnomalyLog(redis, prefix);
    await log.record(anomaly('cart', NOW - 2 * HOUR));
    await log.record(anomaly('cart', NOW - 10 * 60_000));
    for (let index = 0; index < 50; index += 1) await log.record(anomaly(`other-${index}`, NOW - 5 * 60_000));
    const found = await log.overlapping('cart', NOW - HOUR, NOW);
    expect(found.map((each) => each.id)).toEqual([`cart:anomaly:${NOW - 10 * 60_000}`]);
    expect(await redis.zcard(`${prefix}anomalies:service:cart`)).toBe(2);
    expect(await redis.pttl(`${prefix}anomalies:service:cart`)).toBeGreaterThan(23 * HOUR);
    expect((await log.since(NOW - HOUR)).length).toBe(51);
  });

  it('still finds what was recorded before services had an index of their own', async () => {
    const prefix = `test:${randomUUID()}:`;
    const before = anomaly('cart', NOW - 30 * 60_000);
    // As an older version wrote it: the estate's index and the body only.
    await redis.multi().zadd(`${prefix}anomalies:index`, before.detectedAt, before.id).hset(`${prefix}anomalies:body`, before.id, JSON.stringify(before)).exec();
    const log = new AnomalyLog(redis, prefix);
    await log.record(anomaly('cart', NOW - 5 * 60_000));
    expect((await log.overlapping('cart', NOW - HOUR, NOW)).map((each) => each.detectedAt).sort()).toEqual([NOW - 30 * 60_000, NOW - 5 * 60_000]);
    // Windows that start after the upgrade read the service's index alone.
    expect((await log.overlapping('cart', NOW - 6 * 60_000, NOW)).map((each) => each.detectedAt)).toEqual([NOW - 5 * 60_000]);
  });
});
