import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { withLease } from '../../src/state/once.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The lease that keeps two workers off one service: a live pass slower than the lease keeps it
 * (renewed), a pass that outlives its hold lets the next one in, and the owner frees it at the end.
 */

const { redis } = await testRedis();
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

afterAll(async () => {
  await redis.quit();
});

describe('withLease', () => {
  it('keeps the service for a live pass longer than the lease, and frees it when done', async () => {
    const key = `lease:${randomUUID()}`;
    let second: { ran: boolean } | undefined;
    const first = await withLease(
      redis,
      key,
      1_500,
      async () => {
        await sleep(4_000);
        second = await withLease(redis, key, 1_500, async () => 'second');
        return 'first';
      },
      20_000,
    );
    expect(first).toEqual({ ran: true, result: 'first' });
    expect(second).toEqual({ ran: false });
    expect(await redis.exists(key)).toBe(0);
  });

  it('lets the next pass in once a hung pass has held it past its hold', async () => {
    const key = `lease:${randomUUID()}`;
    let release!: () => void;
    const hung = withLease(redis, key, 500, () => new Promise<void>((resolve) => (release = resolve)), 1_000);
    await sleep(2_000);
    expect(await withLease(redis, key, 500, async () => 'next')).toEqual({ ran: true, result: 'next' });
    release();
    await hung;
  });
});
