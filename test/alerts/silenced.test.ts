import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { withoutSilenced } from '../../src/alerts/silenced.js';
import { SilenceStore } from '../../src/state/silence-store.js';
import { managerAlert, MINUTE, T0 } from './builders.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
const prefix = () => `test:silenced:${randomUUID()}:`;

afterAll(() => {
  redis.disconnect();
});

const firing = (service: string, fingerprint = `am-${service}`) => managerAlert({ fingerprint, service, status: 'firing', startsAt: T0, receivedAt: T0 });

describe('silences', () => {
  it('hold back firing alerts of a silenced service or fingerprint, never a resolve', async () => {
    const silences = new SilenceStore(redis, prefix());
    await silences.add({ target: 'payment', until: T0 + 60 * MINUTE, by: 'U0SRE', createdAt: T0 }, T0);
    await silences.add({ target: 'am-noisy', until: T0 + 60 * MINUTE, by: 'U0SRE', createdAt: T0 }, T0);
    const resolvedPayment = { ...firing('payment'), status: 'resolved' as const, endsAt: T0 };
    const { kept, silenced } = await withoutSilenced([firing('payment'), firing('cart'), firing('cart', 'am-noisy'), resolvedPayment], silences, T0 + MINUTE);
    expect(silenced.map((alert) => alert.fingerprint)).toEqual(['am-payment', 'am-noisy']);
    expect(kept).toEqual([firing('cart'), resolvedPayment]);
  });

  it('expire: an alert after the end of its silence passes, and the silence leaves Redis by itself', async () => {
    const keyPrefix = prefix();
    const silences = new SilenceStore(redis, keyPrefix);
    const now = Date.now();
    await silences.add({ target: 'payment', until: now + 300, by: 'U0SRE', createdAt: now }, now);
    expect((await withoutSilenced([firing('payment')], silences, now)).kept).toEqual([]);
    expect((await withoutSilenced([firing('payment')], silences, now + 300)).kept).toEqual([firing('payment')]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await redis.exists(`${keyPrefix}silence:payment`)).toBe(0);
  });
});
