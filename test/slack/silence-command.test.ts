import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupDirectory } from '../../src/access/group-directory.js';
import { Incidents } from '../../src/incidents/incidents.js';
import { silentLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import { register } from '../../src/slack/listeners/commands/index.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import { AuditLog } from '../../src/state/audit-log.js';
import { createStores, type Stores } from '../../src/state/stores.js';
import { MINUTE, T0, catalogue, managerAlert } from '../alerts/builders.js';
import { EXAMPLE_USER_GROUPS } from '../fakes/slack.js';
import { testRedis } from '../support/test-redis.js';

/**
 * `/aiops silence` and `/aiops unsilence` through the command listener, as Bolt calls it, with the
 * example catalogue's teams (U0CAROL is payments, U0BOB web, U0SRE a responder): who may silence,
 * that a silence needs a reason and is announced in the service's channel, and that ending one
 * raises what it held.
 */

const { redis } = await testRedis();
let prefix: string;
let stores: Stores;
let now: number;
let posted: Array<{ channel: string; text: string }>;
let told: string[];
let handler: (arguments_: Record<string, unknown>) => Promise<void>;

const groups: GroupDirectory = { members: async (group) => new Set(EXAMPLE_USER_GROUPS[group] ?? []) };

beforeEach(() => {
  prefix = `test:${randomUUID()}:`;
  stores = createStores(redis, prefix, { catalogue });
  now = T0;
  posted = [];
  told = [];
  const incidents = new Incidents({ stores, catalogue, now: () => now, logger: silentLogger() });
  const services = { catalogue, incidents, stores, now: () => now, groups, pacer: new ChannelPacer(), logger: silentLogger() } as unknown as SlackServices;
  const app = { command: (_name: string, registered: typeof handler) => void (handler = registered) } as unknown as App;
  register(app, services);
});

afterEach(async () => {
  await stores.incidents.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

const client = {
  chat: {
    postMessage: async (message: { channel: string; text: string }) => {
      posted.push({ channel: message.channel, text: message.text });
      return { ok: true, ts: '1.000001' };
    },
    postEphemeral: async (message: { text: string }) => {
      told.push(message.text);
      return { ok: true };
    },
  },
};

/** `/aiops <text>` typed by `user`: what they were told, ephemerally. */
async function aiops(text: string, user: string): Promise<string> {
  const before = told.length;
  await handler({ ack: async () => undefined, command: { text, user_id: user, channel_id: 'C0OPS' }, client, respond: async () => undefined });
  return told.slice(before).join('\n');
}

const paymentAlert = (fingerprint: string, at: number) =>
  managerAlert({ fingerprint, name: 'PaymentDown', status: 'firing', startsAt: at, receivedAt: at, severity: 'critical', service: 'payment', labels: { alertname: 'PaymentDown', service: 'payment', severity: 'critical' } });

const openOnPayment = async () => (await stores.incidents.open()).filter((incident) => incident.services.includes('payment'));

describe('/aiops silence', () => {
  it('refuses someone outside the owning team and the responders, so the next critical alert is still raised', async () => {
    expect(await aiops('silence payment 7d', 'U0BOB')).toMatch(/reason/);
    expect(await aiops('silence payment 7d deploy of v2.3', 'U0BOB')).toBe('Only payments or the responders may silence payment.');
    expect(posted).toEqual([]);
    const [refusal] = await new AuditLog(redis, prefix).recent(1);
    expect(refusal).toMatchObject({ actor: 'U0BOB', action: 'silence-refused', target: 'payment' });

    await stores.silences.covered(['payment'], now).then((covered) => expect(covered).toEqual(new Set()));
    const incidents = new Incidents({ stores, catalogue, now: () => now, logger: silentLogger() });
    await incidents.intake([paymentAlert('pay-1', T0 + MINUTE)], T0 + MINUTE);
    expect(await openOnPayment()).toHaveLength(1);
  });

  it('needs a reason from the owning team, announces who, what, until when and why in the service channel, and audits the reason', async () => {
    expect(await aiops('silence payment 2h', 'U0CAROL')).toMatch(/^A silence needs a reason/);
    expect(await aiops('silence payment 2h deploy of v2.3 in progress', 'U0CAROL')).toMatch(/^Silenced payment for 2h \(until 2024-05-14 12:00 UTC\), announced in #shop-payments/);
    expect(posted).toEqual([
      {
        channel: '#shop-payments',
        text: '🔕 <@U0CAROL> silenced payment for 2h, until 2024-05-14 12:00 UTC: deploy of v2.3 in progress. Alerts for it are held, and raised when the silence ends if still firing; `/aiops unsilence payment` ends it now.',
      },
    ]);
    const [entry] = await new AuditLog(redis, prefix).recent(1);
    expect(entry).toMatchObject({ actor: 'U0CAROL', action: 'silence', target: 'payment', detail: 'silenced payment for 2h: deploy of v2.3 in progress' });
    expect(await stores.silences.covered(['payment'], T0 + MINUTE)).toEqual(new Set(['payment']));
  });

  it('keeps team members to their shorter maximum; a responder may go to the catalogue maximum', async () => {
    expect(await aiops('silence payment 3d long migration', 'U0CAROL')).toBe('You may silence for at most 1d; the responders may silence up to 7d.');
    expect(await stores.silences.covered(['payment'], T0 + MINUTE)).toEqual(new Set());
    expect(await aiops('silence payment 3d long migration', 'U0SRE')).toMatch(/^Silenced payment for 3d/);
  });

  it('refuses names every object inherits as unknown services', async () => {
    expect(await aiops('silence constructor 7d because', 'U0SRE')).toMatch(/^Unknown service `constructor`/);
    expect(await stores.silences.covered(['constructor'], T0 + MINUTE)).toEqual(new Set());
  });
});

describe('/aiops unsilence', () => {
  it('ends the silence, announces it, and raises the alert it held that still fires', async () => {
    const incidents = new Incidents({ stores, catalogue, now: () => now, logger: silentLogger() });
    await aiops('silence payment 2h deploy', 'U0CAROL');
    now = T0 + MINUTE;
    await incidents.intake([paymentAlert('pay-2', now)], now);
    expect(await openOnPayment()).toEqual([]);

    expect(await aiops('unsilence payment', 'U0BOB')).toBe('Only payments or the responders may unsilence payment.');
    now = T0 + 2 * MINUTE;
    expect(await aiops('unsilence payment', 'U0CAROL')).toBe('Ended the silence on payment. 1 held alert(s) still firing were raised.');
    expect(posted.at(-1)).toEqual({ channel: '#shop-payments', text: '🔔 <@U0CAROL> ended the silence on payment. 1 held alert(s) still firing were raised.' });
    expect(await openOnPayment()).toHaveLength(1);
    expect(await stores.silences.covered(['payment'], now)).toEqual(new Set());
    expect(await aiops('unsilence payment', 'U0CAROL')).toBe('payment is not silenced.');
  });
});
