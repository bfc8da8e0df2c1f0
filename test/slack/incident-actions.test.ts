import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Incidents } from '../../src/incidents/incidents.js';
import { silentLogger } from '../../src/logger.js';
import { INCIDENT_ACTIONS } from '../../src/slack/blocks/incident-message.js';
import { registerIncidentActions } from '../../src/slack/listeners/actions/incident-actions.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import { AuditLog } from '../../src/state/audit-log.js';
import { SilenceStore } from '../../src/state/silence-store.js';
import { IncidentOutbox } from '../../src/state/incident-outbox.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { incidentChangedChannel } from '../../src/state/state-changed.js';
import { createStores } from '../../src/state/stores.js';
import { MINUTE, T0, catalogue, detectorAlert, managerAlert } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The incident buttons' listeners on their own: registered on a stand-in for Bolt's App that
 * keeps each handler, then called as Bolt would call them after a click.
 */

const { url: REDIS_URL, redis } = await testRedis();
let prefix: string;
let store: IncidentStore;
let subscriber: Redis;
let published: string[];

type Handler = (arguments_: Record<string, unknown>) => Promise<void>;

beforeEach(async () => {
  prefix = `test:${randomUUID()}:`;
  store = new IncidentStore(redis, prefix, catalogue);
  published = [];
  subscriber = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await subscriber.subscribe(incidentChangedChannel(prefix));
  subscriber.on('message', (_channel: string, message: string) => published.push(message));
});

afterEach(async () => {
  await store.close();
  await subscriber.quit();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

function listeners(now: number): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  const app = { action: (id: string, handler: Handler) => void handlers.set(id, handler) } as unknown as App;
  const stores = { ...createStores(redis, prefix, { catalogue }), incidents: store };
  const incidents = new Incidents({ stores, catalogue, now: () => now, logger: silentLogger() });
  const services = { incidents, stores, now: () => now } as unknown as SlackServices;
  registerIncidentActions(app, services, { drain: async () => undefined });
  return handlers;
}

/** One click on a button by `user`; what the clicker was told, ephemerally. */
async function click(handlers: Map<string, Handler>, actionId: string, value: string, user: string): Promise<string[]> {
  const told: string[] = [];
  let acknowledged = false;
  await handlers.get(actionId)!({
    ack: async () => void (acknowledged = true),
    action: { type: 'button', action_id: actionId, value },
    body: { user: { id: user } },
    respond: async (message: { text: string; response_type: string }) => void told.push(`${message.response_type}: ${message.text}`),
  });
  expect(acknowledged).toBe(true);
  return told;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Resolve button', () => {
  it('resolves the incident by hand, audits it, queues it for the notifier, and tells a second click it is already resolved', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    await until(() => published.length === 1, 'the opening announced');
    published.length = 0;
    const handlers = listeners(T0 + 300_000);

    expect(await click(handlers, INCIDENT_ACTIONS.resolve, 'INC-1', 'U0DAVE')).toEqual([]);
    expect(await store.get('INC-1')).toMatchObject({ status: 'resolved', resolvedBy: 'U0DAVE', resolvedAt: T0 + 300_000 });
    const [entry] = await new AuditLog(redis, prefix).recent(5);
    expect(entry).toEqual({ at: T0 + 300_000, actor: 'U0DAVE', action: 'resolve', target: 'INC-1', detail: 'resolved INC-1 (payment) by hand' });
    // The store queued the resolution for Slack with the resolution itself, and announced it.
    expect((await new IncidentOutbox(redis, prefix).notes('INC-1')).map((note) => note.kind)).toEqual(['resolved']);
    await until(() => published.length === 1, 'the announcement');
    expect(published[0]).toContain('INC-1');

    expect(await click(handlers, INCIDENT_ACTIONS.resolve, 'INC-1', 'U0ERIN')).toEqual(['ephemeral: INC-1 was already resolved.']);
    expect((await store.get('INC-1'))?.resolvedBy).toBe('U0DAVE');
    expect(await new AuditLog(redis, prefix).recent(5)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(published).toHaveLength(1);
  });

  it('says so when the incident is no longer known', async () => {
    expect(await click(listeners(T0), INCIDENT_ACTIONS.resolve, 'INC-404', 'U0DAVE')).toEqual(['ephemeral: Incident INC-404 is no longer known.']);
    expect(published).toEqual([]);
  });
});

describe('the Silence 1h button', () => {
  it('on an incident naming no catalogued service silences its alerts by fingerprint and Alertmanager group, for an hour, audited', async () => {
    const group = { key: '{}/{}:{cluster="eu-1"}', labels: { cluster: 'eu-1' }, receiver: 'aiops', truncatedAlerts: 0 };
    await store.ingest([managerAlert({ fingerprint: 'node-1', name: 'NodeDown', status: 'firing', startsAt: T0, receivedAt: T0, labels: { alertname: 'NodeDown', cluster: 'eu-1', instance: 'node-1' }, group })], T0);
    expect((await store.get('INC-1'))?.services).toEqual([]);

    const told = await click(listeners(T0 + MINUTE), INCIDENT_ACTIONS.silence, 'INC-1', 'U0SRE');
    expect(told).toEqual(['ephemeral: Silenced 1 alert naming no catalogued service (and their Alertmanager groups) for 1 h: new alerts there are held, and raised when the silence ends if still firing.']);
    const silences = new SilenceStore(redis, prefix);
    const targets = ['node-1', `group:${group.key}`];
    expect(await silences.covered(targets, T0 + 30 * MINUTE)).toEqual(new Set(targets));
    expect(await silences.covered(targets, T0 + 61 * MINUTE)).toEqual(new Set());
    const [entry] = await new AuditLog(redis, prefix).recent(5);
    expect(entry).toEqual(expect.objectContaining({ actor: 'U0SRE', action: 'silence', target: 'INC-1' }));
  });

  it('on a catalogued incident silences its services', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    expect(await click(listeners(T0), INCIDENT_ACTIONS.silence, 'INC-1', 'U0SRE')).toEqual(['ephemeral: Silenced payment for 1 h: new alerts there are held, and raised when the silence ends if still firing.']);
    expect(await new SilenceStore(redis, prefix).covered(['payment', 'cart'], T0 + 30 * MINUTE)).toEqual(new Set(['payment']));
  });
});
