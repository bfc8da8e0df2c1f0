import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ActionProposals, type ProposalRequest } from '../../src/state/action-proposals.js';
import { testRedis } from '../support/test-redis.js';

const { redis } = await testRedis();
const prefixes: string[] = [];
const MINUTE = 60_000;
const NOW = 1_800_000_000_000;

function proposals(options?: ConstructorParameters<typeof ActionProposals>[2]) {
  const prefix = `test:action-proposals:${randomUUID()}:`;
  prefixes.push(prefix);
  return new ActionProposals(redis, prefix, options);
}

const rollback: ProposalRequest = { service: 'payment', namespace: 'shop', deployment: 'payment', action: 'rollback', reason: '2.5.0 fails charges' };

afterEach(async () => {
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
});

afterAll(() => redis.disconnect());

describe('action proposals', () => {
  it('stores a proposal and reads it back', async () => {
    const store = proposals();
    const { proposal, created } = await store.propose(rollback, NOW);
    expect(created).toBe(true);
    expect(proposal).toEqual({ id: 'P-1', ...rollback, proposedAt: NOW, status: 'proposed' });
    expect(await store.get('P-1')).toEqual(proposal);
    expect(await store.get('P-404')).toBeUndefined();
  });

  it('returns the same proposal for the same action within 30 minutes, a new one after', async () => {
    const store = proposals();
    const first = await store.propose(rollback, NOW);
    const again = await store.propose({ ...rollback, reason: 'worded differently' }, NOW + 29 * MINUTE);
    expect(again).toEqual({ proposal: first.proposal, created: false });
    const later = await store.propose(rollback, NOW + 31 * MINUTE);
    expect(later.created).toBe(true);
    expect(later.proposal.id).toBe('P-2');
  });

  it('records the first request for approval only, and forgets it with the proposal', async () => {
    const store = proposals({ retentionMilliseconds: 60 * MINUTE });
    await store.propose(rollback, NOW);
    const [first, second] = await Promise.all([store.requestApproval('P-1', 'U0DAVE', NOW + MINUTE), store.requestApproval('P-1', 'U0DAVE', NOW + MINUTE)]);
    expect([first!.first, second!.first].sort()).toEqual([false, true]);
    const late = await store.requestApproval('P-1', 'U0ERIN', NOW + 2 * MINUTE);
    expect(late).toEqual({ first: false, proposal: expect.objectContaining({ status: 'approval-requested', approvalRequest: { by: 'U0DAVE', at: NOW + MINUTE } }) });
    expect(await store.requestApproval('P-404', 'U0DAVE', NOW)).toBeUndefined();
    // A proposal past its retention takes its request with it.
    await store.propose({ ...rollback, action: 'rollout-restart' }, NOW + 120 * MINUTE);
    expect(await store.get('P-1')).toBeUndefined();
    expect(await redis.hexists(`${prefixes.at(-1)}action-proposals:approval-requests`, 'P-1')).toBe(0);
  });

  it('tells different parameters apart', async () => {
    const store = proposals();
    const scale = { ...rollback, action: 'scale' as const, replicas: 4 };
    const ids = [
      (await store.propose(scale, NOW)).proposal.id,
      (await store.propose({ ...scale, replicas: 6 }, NOW)).proposal.id,
      (await store.propose({ ...rollback, action: 'delete-pod', pod: 'payment-a' }, NOW)).proposal.id,
      (await store.propose({ ...rollback, action: 'delete-pod', pod: 'payment-b' }, NOW)).proposal.id,
      (await store.propose(scale, NOW + MINUTE)).proposal.id,
    ];
    expect(ids).toEqual(['P-1', 'P-2', 'P-3', 'P-4', 'P-1']);
    expect((await store.get('P-2'))?.replicas).toBe(6);
  });

  it('agrees on one id when the same proposal arrives concurrently', async () => {
    const store = proposals();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.propose(rollback, NOW)));
    expect(new Set(results.map((result) => result.proposal.id))).toEqual(new Set(['P-1']));
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it('lists recent proposals newest first and trims those past the retention', async () => {
    const store = proposals({ retentionMilliseconds: 60 * MINUTE });
    await store.propose(rollback, NOW);
    await store.propose({ ...rollback, action: 'rollout-restart' }, NOW + 10 * MINUTE);
    expect((await store.recent(NOW)).map((proposal) => proposal.action)).toEqual(['rollout-restart', 'rollback']);
    expect((await store.recent(NOW + 5 * MINUTE)).map((proposal) => proposal.action)).toEqual(['rollout-restart']);
    await store.propose({ ...rollback, service: 'cart', deployment: 'cart' }, NOW + 65 * MINUTE);
    expect(await store.get('P-1')).toBeUndefined();
    expect((await store.recent(0)).map((proposal) => proposal.id)).toEqual(['P-3', 'P-2']);
  });
});
