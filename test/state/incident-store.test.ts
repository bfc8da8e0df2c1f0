import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { Incident, IncidentChange } from '../../src/alerts/correlate.js';
import { IncidentAcknowledgements } from '../../src/state/incident-acknowledgements.js';
import { IncidentOutbox } from '../../src/state/incident-outbox.js';
import { IncidentStore, type IncidentStoreOptions } from '../../src/state/incident-store.js';
import { MINUTE, T0, catalogue, detectorAlert, managerAlert } from '../alerts/builders.js';
import { startRedisServer } from '../support/redis-server.js';
import { testRedis } from '../support/test-redis.js';

const HOUR = 60 * MINUTE;
const { url: REDIS_URL, redis } = await testRedis();
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
function replica(options: IncidentStoreOptions = {}, storePrefix = prefix): IncidentStore {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  opened.connections.push(connection);
  const store = new IncidentStore(connection, storePrefix, catalogue, options);
  opened.stores.push(store);
  return store;
}

/** What an incident is, whatever it is called: its services and its alerts. */
function shape(incident: Incident): string {
  return `${incident.services.join(',')}|${Object.keys(incident.alerts).sort().join(',')}`;
}

/** A deterministic shuffle (mulberry32), so a failure replays. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other]!, result[index]!];
  }
  return result;
}

/**
 * 40 groups an hour apart, 5 deliveries each (3 fingerprints, 2 delivered twice). Each group is
 * one service, or every fifth one database and order-service, which are neighbours: whatever the
 * order, a group becomes exactly one incident, so any extra incident is a race.
 */
function haPairAlerts(): Alert[] {
  const services = ['cart', 'payment', 'shipping', 'frontend'];
  const alerts: Alert[] = [];
  for (let group = 0; group < 40; group++) {
    const start = T0 + group * HOUR;
    for (const [delivery, number] of [0, 1, 2, 0, 1].entries()) {
      const service = group % 5 === 4 ? (number === 1 ? 'order-service' : 'database') : services[group % services.length]!;
      alerts.push(
        managerAlert({
          fingerprint: `am-${group}-${number}`,
          name: `Alert${number}`,
          service,
          status: 'firing',
          startsAt: start + number * MINUTE,
          receivedAt: start + delivery * MINUTE,
        }),
      );
    }
  }
  return alerts;
}

describe('IncidentStore', () => {
  it('opens one incident for a firing alert and counts the same alert again as a duplicate', async () => {
    const store = replica();
    const alert = detectorAlert('payment', ['latency_p95'], T0);

    const [first] = await store.ingest([alert], T0);
    expect(first).toMatchObject({ kind: 'opened', incidentId: 'INC-1', fingerprint: alert.fingerprint });

    const [again] = await store.ingest([{ ...alert, receivedAt: T0 + MINUTE }], T0 + MINUTE);
    expect(again).toMatchObject({ kind: 'duplicate', incidentId: 'INC-1' });

    const open = await store.open();
    expect(open.map((incident) => incident.id)).toEqual(['INC-1']);
    expect(open[0]!.lastSeen).toBe(T0 + MINUTE);
    expect(await store.get('INC-1')).toEqual(open[0]);
    expect(await store.get('INC-2')).toBeUndefined();
  });

  it('joins anomalies on database then order-service into one incident with database as origin', async () => {
    const store = replica();
    const changes = await store.ingest([detectorAlert('database', ['latency_p95'], T0), detectorAlert('order-service', ['error_rate'], T0 + 2 * MINUTE)], T0 + 2 * MINUTE);

    expect(changes.map((change) => [change.kind, change.incidentId])).toEqual([
      ['opened', 'INC-1'],
      ['joined', 'INC-1'],
    ]);
    const [incident, ...others] = await store.open();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ id: 'INC-1', services: ['database', 'order-service'], origin: 'database' });
  });

  it('gives two replicas ingesting the same alerts concurrently the incidents one store alone makes', async () => {
    const alerts = haPairAlerts();
    expect(alerts).toHaveLength(200);

    const alone = replica({}, `${prefix}alone:`);
    await alone.ingest(alerts, T0 + 40 * HOUR);
    const expected = await alone.all();
    expect(expected).toHaveLength(40);

    // Like an Alertmanager HA pair: both replicas get every alert, in one shuffled order, at once.
    const [left, right] = [replica(), replica()];
    const deliveries = shuffled(alerts, 7).flatMap((alert) => [left.ingest([alert], alert.receivedAt), right.ingest([alert], alert.receivedAt)]);
    const changes = (await Promise.all(deliveries)).flat();

    const incidents = await left.all();
    const ids = incidents.map((incident) => incident.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^INC-\d+$/.test(id))).toBe(true);
    expect(incidents.map(shape).sort()).toEqual(expected.map(shape).sort());
    // Each incident was opened by exactly one replica; the other saw it as already there.
    expect(changes.filter((change: IncidentChange) => change.kind === 'opened')).toHaveLength(40);
    const pair = incidents.filter((incident) => incident.services.length === 2);
    expect(pair).toHaveLength(8);
    expect(pair.every((incident) => incident.origin === 'database')).toBe(true);
    expect(await right.all()).toEqual(incidents);
  });

  it('keeps incidents, tombstones and message references across a restart', async () => {
    const before = replica();
    const [opening] = await before.ingest([detectorAlert('cart', ['error_rate'], T0)], T0);
    const late = managerAlert({ fingerprint: 'am-late', service: 'shipping', status: 'resolved', startsAt: T0 - 5 * MINUTE, endsAt: T0, receivedAt: T0 });
    await before.ingest([late], T0);
    await before.markPosting(opening!.incidentId!, { channel: '#cart', at: T0 });
    await before.setMessage(opening!.incidentId!, { channel: 'C0123ABCDEF', ts: '1715680800.000100' });
    await before.close();

    const after = replica();
    expect((await after.open()).map((incident) => incident.id)).toEqual(['INC-1']);
    expect(await after.message('INC-1')).toEqual({ channel: 'C0123ABCDEF', ts: '1715680800.000100' });
    expect(await after.postingAttempt('INC-1')).toBeUndefined();

    const changes = await after.ingest(
      [detectorAlert('cart', ['error_rate'], T0 + MINUTE), { ...late, status: 'firing', endsAt: undefined, receivedAt: T0 + MINUTE }],
      T0 + MINUTE,
    );
    expect(changes.map((change) => change.kind)).toEqual(['duplicate', 'ignored']);
    expect(changes[0]!.incidentId).toBe('INC-1');
    expect(await after.all()).toHaveLength(1);
  });

  it('remembers an unfinished root message posting until its message is recorded', async () => {
    const [left, right] = [replica(), replica()];
    await left.ingest([detectorAlert('payment', ['latency_p95'], T0)], T0);

    await left.markPosting('INC-1', { channel: '#payments', at: T0 });
    // Another process (or this one after a restart) sees the attempt, so it looks before posting again.
    expect(await right.postingAttempt('INC-1')).toEqual({ channel: '#payments', at: T0 });
    expect(await right.message('INC-1')).toBeUndefined();

    await right.setMessage('INC-1', { channel: 'C0PAYMENTS1', ts: '1715680800.000200' });
    expect(await left.postingAttempt('INC-1')).toBeUndefined();
  });

  it('commits concurrent ingest calls together, in call order, each caller getting its own changes', async () => {
    const services = ['payment', 'cart', 'shipping', 'user'];
    const calls = Array.from({ length: 80 }, (_, index) => [detectorAlert(services[index % 4]!, index % 8 < 4 ? ['error_rate'] : ['latency_p95'], T0 + index * 1000)]);
    const together = replica();
    const answers = await Promise.all(calls.map((alerts) => together.ingest(alerts, alerts[0]!.receivedAt)));
    answers.forEach((changes, index) => expect(changes.map((change) => change.fingerprint)).toEqual([calls[index]![0]!.fingerprint]));

    const one = replica({}, `${prefix}sequential:`);
    const sequential: IncidentChange[][] = [];
    for (const alerts of calls) sequential.push(await one.ingest(alerts, alerts[0]!.receivedAt));
    expect(answers).toEqual(sequential);
    expect(await together.all()).toEqual(await one.all());
    await one.close();
  });

  it('settles an incident whose detector alerts went quiet', async () => {
    const store = replica({ resolveTimeoutMilliseconds: 5 * MINUTE });
    await store.ingest([detectorAlert('payment', ['latency_p95'], T0)], T0);

    expect(await store.settle(T0 + 4 * MINUTE)).toEqual([]);
    expect(await store.open()).toHaveLength(1);

    const changes = await store.settle(T0 + 6 * MINUTE);
    expect(changes).toEqual([expect.objectContaining({ kind: 'resolved', incidentId: 'INC-1' })]);
    expect(await store.open()).toEqual([]);
    expect(await store.get('INC-1')).toMatchObject({ status: 'resolved', resolvedAt: T0 + 5 * MINUTE });
  });

  it('prunes incidents resolved more than a day ago on write, with their message references and acknowledgements', async () => {
    const store = replica();
    const acknowledgements = new IncidentAcknowledgements(redis, prefix);
    await store.ingest([detectorAlert('payment', ['latency_p95'], T0)], T0);
    await acknowledgements.acknowledge('INC-1', { by: 'U0SRE', at: T0 + MINUTE });
    await store.settle(T0 + 10 * MINUTE);
    await store.setMessage('INC-1', { channel: 'C0123ABCDEF', ts: '1.2' });

    await store.ingest([detectorAlert('cart', ['error_rate'], T0 + 20 * HOUR)], T0 + 20 * HOUR);
    expect((await store.all()).map((incident) => [incident.id, incident.status])).toEqual([
      ['INC-2', 'open'],
      ['INC-1', 'resolved'],
    ]);

    await store.ingest([detectorAlert('cart', ['error_rate'], T0 + 25 * HOUR)], T0 + 25 * HOUR);
    expect((await store.all()).map((incident) => incident.id)).toEqual(['INC-2']);
    expect(await store.get('INC-1')).toBeUndefined();
    expect(await store.message('INC-1')).toBeUndefined();
    expect(await acknowledgements.get('INC-1')).toBeUndefined();
  });
});

describe('IncidentStore and the incident outbox', () => {
  /** What the outbox holds for the process talking to Slack: due incidents and the notes waiting. */
  async function outboxState(outbox: IncidentOutbox) {
    const due = await outbox.due(Number.MAX_SAFE_INTEGER, 100);
    return Object.fromEntries(await Promise.all(due.map(async ({ incidentId }) => [incidentId, (await outbox.notes(incidentId)).map((note) => note.kind)] as const)));
  }

  it('marks every change shown in Slack in the transaction that stores it, with its note, and counts up the incident revision; a duplicate marks nothing', async () => {
    const store = replica();
    const outbox = new IncidentOutbox(redis, prefix);
    const firing = managerAlert({ fingerprint: 'm000000000000004', service: 'cart', status: 'firing', severity: 'critical', startsAt: T0, receivedAt: T0 });
    await store.ingest([firing], T0);
    expect(await outboxState(outbox)).toEqual({ 'INC-1': [] });
    expect((await store.get('INC-1'))?.revision).toBe(1);

    // Synced: the outbox is empty, and the retried delivery of the same firing alert marks nothing.
    for (const due of await outbox.due(Number.MAX_SAFE_INTEGER, 100)) await outbox.complete(due, 1);
    await store.ingest([{ ...firing, receivedAt: T0 + MINUTE }], T0 + MINUTE);
    expect(await outboxState(outbox)).toEqual({});
    expect((await store.get('INC-1'))?.revision).toBe(1);

    // The resolve and its mark (with the thread's note) are one write; so is a resolve by hand.
    await store.ingest([{ ...firing, status: 'resolved', endsAt: T0 + 2 * MINUTE, receivedAt: T0 + 2 * MINUTE }], T0 + 2 * MINUTE);
    expect(await outboxState(outbox)).toEqual({ 'INC-1': ['resolved'] });
    expect((await store.get('INC-1'))?.revision).toBe(2);
    await store.ingest([detectorAlert('payment', ['error_rate'], T0 + 3 * MINUTE)], T0 + 3 * MINUTE);
    await store.resolve('INC-2', 'U0DAVE', T0 + 4 * MINUTE);
    expect(await outboxState(outbox)).toEqual({ 'INC-1': ['resolved'], 'INC-2': ['resolved'] });
    expect((await store.get('INC-2'))?.revision).toBe(2);
  });

  it('fails fast, storing nothing, when Redis refuses the transaction, and stores change and mark together once it accepts again', async () => {
    const server = await startRedisServer();
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      await admin.call('ACL', 'SETUSER', 'bot', 'on', '>bot-secret', '~*', '&*', '+@all');
      const connection = new Redis(`redis://bot:bot-secret@127.0.0.1:${server.port}`, { maxRetriesPerRequest: 1 });
      opened.connections.push(connection);
      const store = new IncidentStore(connection, prefix, catalogue);
      opened.stores.push(store);
      const outbox = new IncidentOutbox(admin, prefix);
      // The outbox's writes refused, as a failing second write would be: the incident must not change alone.
      await admin.call('ACL', 'SETUSER', 'bot', '-eval', '-evalsha', '-rpush');
      const firing = managerAlert({ fingerprint: 'm000000000000005', service: 'cart', status: 'firing', severity: 'critical', startsAt: T0, receivedAt: T0 });
      await expect(store.ingest([firing], T0)).rejects.toThrow();
      expect(await admin.hlen(`${prefix}incidents`)).toBe(0);
      await admin.call('ACL', 'SETUSER', 'bot', '+@all');
      expect(await store.ingest([firing], T0)).toEqual([expect.objectContaining({ kind: 'opened', incidentId: expect.stringMatching(/^INC-\d+$/) })]);
      expect(Object.keys(await outboxState(outbox))).toHaveLength(1);
    } finally {
      admin.disconnect();
      await server.stop();
    }
  });
});

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
