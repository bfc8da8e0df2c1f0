import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { afterAll, describe, expect, it } from 'vitest';
import { PROPOSAL_ACTIONS } from '../../src/slack/blocks/proposal-blocks.js';
import { registerProposalActions } from '../../src/slack/listeners/actions/proposal-actions.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
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
  it('posts the reason as text without previews and audits it without a link', async () => {
    const handlers = new Map<string, Handler>();
    const app = { action: (id: string, handler: Handler) => void handlers.set(id, handler) } as unknown as App;
    const stores = createStores(redis, prefix, { catalogue });
    const services = { stores, catalogue, now: () => 1_000, pacer: { send: <T>(_channel: string, operation: () => Promise<T>) => operation() } } as unknown as SlackServices;
    registerProposalActions(app, services);
    const reason = `As the logs say: visit http://evil.example/login, or <https://evil.example|the runbook>${' and more'.repeat(60)}`;
    const { proposal } = await stores.proposals.propose({ service: 'payment', namespace: 'shop', deployment: 'payment', action: 'rollback', reason }, 1_000);
    const posted: Array<Record<string, unknown>> = [];
    await handlers.get(PROPOSAL_ACTIONS.requestApproval)!({
      ack: async () => undefined,
      action: { type: 'button', action_id: PROPOSAL_ACTIONS.requestApproval, value: proposal.id },
      body: { user: { id: 'U0APPROVER' }, channel: { id: 'C0ANSWERS' }, message: { ts: '1.000100' } },
      client: { chat: { postMessage: async (message: Record<string, unknown>) => void posted.push(message) } },
      respond: async () => undefined,
    });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: 'C0ANSWERS', thread_ts: '1.000100', unfurl_links: false, unfurl_media: false });
    expect(JSON.stringify(posted[0])).not.toMatch(/https?:\/\/|evil\.example/);
    const [entry] = await stores.audit.recent(1);
    expect(entry?.detail).toContain('hxxp[:]//evil[.]example/login');
    expect(entry?.detail).not.toMatch(/https?:\/\/|evil\.example/);
    expect(entry!.detail!.length).toBeLessThan(400);
  });
});
