import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { afterAll, describe, expect, it } from 'vitest';
import { PROPOSAL_ACTIONS } from '../../src/slack/blocks/proposal-blocks.js';
import { registerProposalActions } from '../../src/slack/listeners/actions/proposal-actions.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import type { Healing, ProposalInput } from '../../src/healing/healing.js';
import { createStores } from '../../src/state/stores.js';
import { catalogue } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';

/**
 * "Request approval" on its own: registered on a stand-in for Bolt's App, clicked as Bolt would.
 * The proposal's reason was written by a model that read an injected log line.
 */
const { redis } = await testRedis();
const prefix = `test:proposal-actions:${randomUUID()}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

type Handler = (arguments_: Record<string, unknown>) => Promise<void>;

describe('requesting approval of a proposal with an attacker-written reason', () => {
  it('has a worker preview it for the thread once, tells a second clicker who asked first, and audits it without a link', async () => {
    const handlers = new Map<string, Handler>();
    const app = { action: (id: string, handler: Handler) => void handlers.set(id, handler) } as unknown as App;
    const stores = createStores(redis, prefix, { catalogue });
    const requested: ProposalInput[] = [];
    const healing = { requestProposal: async (input: ProposalInput) => void requested.push(input) } as unknown as Healing;
    const services = { stores, catalogue, now: () => 1_000, groups: { members: async () => new Set() }, channels: { isMember: async () => false }, healing: () => healing, pacer: { send: <T>(_channel: string, operation: () => Promise<T>) => operation() } } as unknown as SlackServices;
    registerProposalActions(app, services);
    const reason = `As the logs say: visit http://evil.example/login, or <https://evil.example|the runbook>${' and more'.repeat(60)}`;
    const { proposal } = await stores.proposals.propose({ service: 'payment', namespace: 'shop', deployment: 'payment', action: 'rollback', reason }, 1_000);
    const told: Array<Record<string, unknown>> = [];
    const click = (user: string) =>
      handlers.get(PROPOSAL_ACTIONS.requestApproval)!({
        ack: async () => undefined,
        action: { type: 'button', action_id: PROPOSAL_ACTIONS.requestApproval, value: proposal.id },
        body: { user: { id: user }, channel: { id: 'C0ANSWERS' }, message: { ts: '1.000200', thread_ts: '1.000100' } },
        client: {},
        respond: async (message: Record<string, unknown>) => void told.push(message),
      });
    await click('U0APPROVER');
    await click('U0SECOND');
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({ request: { action: 'rollback', service: 'payment', namespace: 'shop', deployment: 'payment' }, requestedBy: 'U0APPROVER', thread: { channel: 'C0ANSWERS', threadTs: '1.000100' } });
    expect(JSON.stringify(told[1])).toContain('already requested by <@U0APPROVER>');
    const [entry] = await stores.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'U0APPROVER', action: 'request-approval', target: 'payment' });
    expect(entry?.detail).not.toMatch(/https?:\/\/|evil\.example/);
  });
});
