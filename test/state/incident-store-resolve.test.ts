import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentStore } from '../../src/state/incident-store.js';
import { MINUTE, T0, catalogue, detectorAlert, managerAlert } from '../alerts/builders.js';

const REDIS_URL = 'redis://127.0.0.1:6379/15';
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
let prefix: string;
let opened: { connections: Redis[]; stores: IncidentStore[] };

beforeEach(() => {
  prefix = `test:${randomUUID()}:`;
  opened = { connections: [], stores: [] };
});

afterEach(async () => {
  await Promise.all(opened.stores.map((store) => store.close()));
  await Promise.all(opened.connections.map((connection) => connection.quit()));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

/** A store on a connection of its own, as a separate bot replica would have. */
function replica(): IncidentStore {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  opened.connections.push(connection);
  const store = new IncidentStore(connection, prefix, catalogue);
  opened.stores.push(store);
  return store;
}

describe('IncidentStore.resolve', () => {
  it('resolves an open incident by hand once, whoever clicks again and wherever', async () => {
    const [left, right] = [replica(), replica()];
    await left.ingest([detectorAlert('payment', ['error_rate'], T0)], T0);

    // A double click reaching two replicas at once: one transaction wins, the other sees it resolved.
    const results = await Promise.all([left.resolve('INC-1', 'U0DAVE', T0 + 5 * MINUTE), right.resolve('INC-1', 'U0ERIN', T0 + 5 * MINUTE), left.resolve('INC-1', 'U0DAVE', T0 + 5 * MINUTE)]);
    const changes = results.filter((change) => change !== undefined);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'resolved', incidentId: 'INC-1', reason: expect.stringMatching(/^resolved by hand by U0(DAVE|ERIN)$/) });

    const incident = await right.get('INC-1');
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt: T0 + 5 * MINUTE, resolvedBy: changes[0]!.reason.split(' ').at(-1) });
    expect(Object.values(incident!.alerts).every((alert) => alert.status === 'resolved')).toBe(true);
    expect(await left.open()).toEqual([]);
    expect(await left.resolve('INC-404', 'U0DAVE', T0 + 6 * MINUTE)).toBeUndefined();
  });

  it('reopens the incident, without the name of who resolved it, when its alert fires again', async () => {
    const store = replica();
    const firing = managerAlert({ fingerprint: 'm000000000000001', service: 'cart', status: 'firing', startsAt: T0, receivedAt: T0 });
    await store.ingest([firing], T0);
    await store.resolve('INC-1', 'U0DAVE', T0 + 2 * MINUTE);
    const [repeated, again] = await store.ingest([{ ...firing, receivedAt: T0 + 3 * MINUTE }, { ...firing, startsAt: T0 + 4 * MINUTE, receivedAt: T0 + 4 * MINUTE }], T0 + 4 * MINUTE);
    expect(repeated).toMatchObject({ kind: 'ignored' });
    expect(again).toMatchObject({ kind: 'opened', incidentId: 'INC-1', reopened: true });
    const incident = await store.get('INC-1');
    expect(incident?.status).toBe('open');
    expect(incident).not.toHaveProperty('resolvedBy');
    expect(incident).not.toHaveProperty('resolvedAt');
  });
});
