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
import { MINUTE, T0, catalogue, detectorAlert } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';
import { EXAMPLE_USER_GROUPS } from '../fakes/slack.js';
import type { GroupDirectory } from '../../src/access/group-directory.js';

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

/** The example catalogue's user groups (S0SHOPSRE responds; U0DAVE and U0ERIN are orders, U0CAROL payments); `failing` groups cannot be read. */
function groupDirectory(failing: readonly string[] = []): GroupDirectory {
  return {
    members: async (group) => {
      if (failing.includes(group)) throw new Error('missing_scope: add usergroups:read to the Slack app');
      return new Set(EXAMPLE_USER_GROUPS[group] ?? []);
    },
  };
}

function listeners(now: number, groups: GroupDirectory = groupDirectory()): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  const app = { action: (id: string, handler: Handler) => void handlers.set(id, handler) } as unknown as App;
  const stores = { ...createStores(redis, prefix, { catalogue }), incidents: store };
  const incidents = new Incidents({ stores, catalogue, now: () => now, logger: silentLogger() });
  const services = { catalogue, incidents, stores, now: () => now, groups } as unknown as SlackServices;
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
    client: {},
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

    expect(await click(handlers, INCIDENT_ACTIONS.resolve, 'INC-1', 'U0CAROL')).toEqual([]);
    expect(await store.get('INC-1')).toMatchObject({ status: 'resolved', resolvedBy: 'U0CAROL', resolvedAt: T0 + 300_000 });
    const [entry] = await new AuditLog(redis, prefix).recent(5);
    expect(entry).toEqual({ at: T0 + 300_000, actor: 'U0CAROL', action: 'resolve', target: 'INC-1', detail: 'resolved INC-1 (payment) by hand' });
    // The store queued the resolution for Slack with the resolution itself, and announced it.
    expect((await new IncidentOutbox(redis, prefix).notes('INC-1')).map((note) => note.kind)).toEqual(['resolved']);
    await until(() => published.length === 1, 'the announcement');
    expect(published[0]).toContain('INC-1');

    expect(await click(handlers, INCIDENT_ACTIONS.resolve, 'INC-1', 'U0SRE')).toEqual(['ephemeral: INC-1 was already resolved.']);
    expect((await store.get('INC-1'))?.resolvedBy).toBe('U0CAROL');
    expect(await new AuditLog(redis, prefix).recent(5)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(published).toHaveLength(1);
  });

  it('says so when the incident is no longer known', async () => {
    expect(await click(listeners(T0), INCIDENT_ACTIONS.resolve, 'INC-404', 'U0DAVE')).toEqual(['ephemeral: Incident INC-404 is no longer known.']);
    expect(published).toEqual([]);
  });
});

describe('who may press the buttons', () => {
  it('refuses a resolve by someone outside the owning team and the responders, ephemerally, changing nothing, and audits the refusal', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    const handlers = listeners(T0 + MINUTE);
    expect(await click(handlers, INCIDENT_ACTIONS.resolve, 'INC-1', 'U0DAVE')).toEqual(['ephemeral: Only payments or the responders may resolve INC-1 (payment).']);
    expect((await store.get('INC-1'))?.status).toBe('open');
    const [entry] = await new AuditLog(redis, prefix).recent(5);
    expect(entry).toEqual({ at: T0 + MINUTE, actor: 'U0DAVE', action: 'resolve-refused', target: 'INC-1', detail: 'Only payments or the responders may resolve INC-1 (payment).' });
  });

  it('lets the owning team acknowledge and resolve, and a responder act on any incident', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    const handlers = listeners(T0 + MINUTE);
    expect(await click(handlers, INCIDENT_ACTIONS.acknowledge, 'INC-1', 'U0CAROL')).toEqual([]);
    expect(await click(handlers, INCIDENT_ACTIONS.resolve, 'INC-1', 'U0SRE')).toEqual([]);
    expect(await store.get('INC-1')).toMatchObject({ status: 'resolved', resolvedBy: 'U0SRE' });
  });

  it('refuses, saying why, when a user group cannot be read: never allowed by default', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    const handlers = listeners(T0 + MINUTE, groupDirectory(['S0SHOPSRE', 'S0SHOPPAY']));
    expect(await click(handlers, INCIDENT_ACTIONS.acknowledge, 'INC-1', 'U0CAROL')).toEqual([
      'ephemeral: I cannot check who may acknowledge INC-1 (payment): user group S0SHOPSRE cannot be read (missing_scope: add usergroups:read to the Slack app); refused until I can.',
    ]);
    expect(await click(handlers, INCIDENT_ACTIONS.acknowledge, 'INC-1', 'U0SRE')).toHaveLength(1);
    expect(await store.get('INC-1')).toMatchObject({ status: 'open' });
    const stores = createStores(redis, prefix, { catalogue });
    expect(await stores.acknowledgements.get('INC-1')).toBeUndefined();
  });
});

describe('the Silence… button', () => {
  it('refuses someone outside the owning team and the responders, and silences nothing', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    expect(await click(listeners(T0), INCIDENT_ACTIONS.silence, 'INC-1', 'U0BOB')).toEqual(['ephemeral: Only payments or the responders may silence INC-1 (payment).']);
    expect(await new SilenceStore(redis, prefix).covered(['payment', 'INC-1'], T0 + MINUTE)).toEqual(new Set());
  });

  it('hands the owning team the command to complete with a reason, within their maximum, and silences nothing yet', async () => {
    await store.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);
    expect(await click(listeners(T0), INCIDENT_ACTIONS.silence, 'INC-1', 'U0CAROL')).toEqual(['ephemeral: A silence needs a reason, announced in the channel: type `/aiops silence INC-1 1h what you are doing` (at most 1d).']);
    expect(await click(listeners(T0), INCIDENT_ACTIONS.silence, 'INC-1', 'U0SRE')).toEqual(['ephemeral: A silence needs a reason, announced in the channel: type `/aiops silence INC-1 1h what you are doing` (at most 7d).']);
    expect(await new SilenceStore(redis, prefix).covered(['payment', 'INC-1'], T0 + MINUTE)).toEqual(new Set());
  });
});
