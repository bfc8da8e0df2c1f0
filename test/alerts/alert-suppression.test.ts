import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { AlertSuppression } from '../../src/alerts/alert-suppression.js';
import type { MaintenanceWindow } from '../../src/alerts/noise-policy.js';
import { fingerprintsRaisedIn, releasedInto, silenceTargetsForIncident } from '../../src/alerts/suppression.js';
import { createLogger } from '../../src/logger.js';
import { heldBackContext } from '../../src/slack/blocks/held-back-context.js';
import { HeldAlertStore } from '../../src/state/held-alert-store.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { SilenceStore } from '../../src/state/silence-store.js';
import { catalogue, detectorAlert, managerAlert, MINUTE, T0 } from './builders.js';
import { testRedis } from '../support/test-redis.js';

/**
 * Silences and maintenance windows with the real stores: what is held, how it is kept current,
 * and what is raised into incidents when the silence or window ends (issue 13, point 6).
 */

const { redis } = await testRedis();
const HOUR = 60 * MINUTE;
const stores: IncidentStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  redis.disconnect();
});

function world(maintenance: MaintenanceWindow[] = []) {
  const prefix = `test:suppression:${randomUUID()}:`;
  const incidents = new IncidentStore(redis, prefix, catalogue);
  stores.push(incidents);
  const silences = new SilenceStore(redis, prefix);
  const held = new HeldAlertStore(redis, prefix);
  const suppression = new AlertSuppression({
    silences,
    held,
    maintenance,
    raised: async (fingerprints) => fingerprintsRaisedIn(await incidents.open(), fingerprints),
    logger: createLogger({ level: 'silent' }),
  });
  /** What the bot does with a delivery: held alerts stay out, the rest is correlated. */
  const deliver = async (alerts: Alert[], at: number) => {
    const { kept, held: heldBack } = await suppression.intake(alerts, at);
    await incidents.ingest(kept, at);
    return heldBack.map(({ alert }) => alert.fingerprint);
  };
  const release = (at: number) => suppression.release(at, async (alerts) => incidents.ingest(alerts, at));
  return { incidents, silences, held, suppression, deliver, release };
}

const firing = (fingerprint: string, service: string | undefined, at: number, startsAt = at): Alert =>
  managerAlert({ fingerprint, service, name: 'HighLatency', status: 'firing', startsAt, receivedAt: at, summary: `${service ?? 'node'} latency high` });
const resolved = (fingerprint: string, service: string | undefined, at: number, startsAt: number): Alert => ({ ...firing(fingerprint, service, at, startsAt), status: 'resolved', endsAt: at });

describe('alerts arriving during a silence', () => {
  it('are held, kept current, and raised when the silence ends, with from when to when on the incident', async () => {
    const { incidents, silences, held, deliver, release } = world();
    await silences.add({ target: 'payment', until: T0 + HOUR, by: 'U0SRE', createdAt: T0 }, T0);

    expect(await deliver([firing('am-latency', 'payment', T0 + 5 * MINUTE)], T0 + 5 * MINUTE)).toEqual(['am-latency']);
    expect(await incidents.all()).toEqual([]);
    // Alertmanager's next delivery of the same alert keeps it current, still held.
    expect(await deliver([firing('am-latency', 'payment', T0 + 20 * MINUTE, T0 + 5 * MINUTE)], T0 + 20 * MINUTE)).toEqual(['am-latency']);
    expect((await held.get(['am-latency'])).get('am-latency')).toEqual(expect.objectContaining({ heldSince: T0 + 5 * MINUTE, alert: expect.objectContaining({ receivedAt: T0 + 20 * MINUTE }) }));

    // Still silenced: nothing to release.
    expect(await release(T0 + 30 * MINUTE)).toEqual([]);
    expect(await incidents.all()).toEqual([]);

    // The silence is over: the alert, still firing, opens an incident that says where it was.
    const released = await release(T0 + HOUR + 5_000);
    expect(released.map((record) => record.fingerprint)).toEqual(['am-latency']);
    const [incident] = await incidents.open();
    expect(incident).toEqual(expect.objectContaining({ services: ['payment'], firstSeen: T0 + HOUR + 5_000 }));
    expect(incident!.alerts['am-latency']).toEqual(expect.objectContaining({ status: 'firing', startsAt: T0 + 5 * MINUTE }));
    const context = heldBackContext(releasedInto(incident!, await held.released(Object.keys(incident!.alerts))));
    expect(context).toEqual(['Held back from 2024-05-14 10:05 UTC to 2024-05-14 11:00 UTC by a silence on payment set by U0SRE; still firing when it ended: payment latency high']);
    expect((await held.get(['am-latency'])).size).toBe(0);
    // Released once: the next pass has nothing.
    expect(await release(T0 + HOUR + 10_000)).toEqual([]);
  });

  it('that resolve while held are not raised; their resolve still reaches correlation', async () => {
    const { incidents, silences, held, deliver, release } = world();
    await silences.add({ target: 'payment', until: T0 + HOUR, by: 'U0SRE', createdAt: T0 }, T0);
    await deliver([firing('am-blip', 'payment', T0 + 5 * MINUTE)], T0 + 5 * MINUTE);
    expect(await deliver([resolved('am-blip', 'payment', T0 + 10 * MINUTE, T0 + 5 * MINUTE)], T0 + 10 * MINUTE)).toEqual([]);
    expect((await held.get(['am-blip'])).get('am-blip')?.alert.status).toBe('resolved');
    expect(await release(T0 + HOUR + 1)).toEqual([]);
    expect(await incidents.all()).toEqual([]);
    expect((await held.get(['am-blip'])).size).toBe(0);
  });

  it('keep an incident they are already part of current: a silence neither resolves it nor hides its end', async () => {
    const { incidents, silences, deliver } = world();
    await deliver([firing('am-errors', 'payment', T0)], T0);
    await silences.add({ target: 'payment', until: T0 + HOUR, by: 'U0SRE', createdAt: T0 }, T0 + MINUTE);
    expect(await deliver([firing('am-errors', 'payment', T0 + 10 * MINUTE, T0)], T0 + 10 * MINUTE)).toEqual([]);
    // A new alert on the silenced service is held, though.
    expect(await deliver([firing('am-new', 'payment', T0 + 11 * MINUTE)], T0 + 11 * MINUTE)).toEqual(['am-new']);
    await deliver([resolved('am-errors', 'payment', T0 + 12 * MINUTE, T0)], T0 + 12 * MINUTE);
    expect((await incidents.all())[0]).toEqual(expect.objectContaining({ status: 'resolved', services: ['payment'] }));
  });

  it('stay held while the silence is extended, and are raised when the longer one ends', async () => {
    const { incidents, silences, deliver, release } = world();
    await silences.add({ target: 'payment', until: T0 + HOUR, by: 'U0SRE', createdAt: T0 }, T0);
    await deliver([firing('am-latency', 'payment', T0 + 5 * MINUTE)], T0 + 5 * MINUTE);
    await silences.add({ target: 'payment', until: T0 + 2 * HOUR, by: 'U0SRE', createdAt: T0 + 50 * MINUTE }, T0 + 50 * MINUTE);
    expect(await release(T0 + HOUR + 1)).toEqual([]);
    expect(await incidents.all()).toEqual([]);
    expect((await release(T0 + 2 * HOUR + 1)).map((record) => record.heldUntil)).toEqual([T0 + 2 * HOUR]);
    expect(await incidents.open()).toHaveLength(1);
  });

  it('from our detectors are held too, and raised only if still reported when the silence ends', async () => {
    const { incidents, silences, deliver, release } = world();
    await silences.add({ target: 'payment', until: T0 + HOUR, by: 'U0SRE', createdAt: T0 }, T0);
    await silences.add({ target: 'cart', until: T0 + HOUR, by: 'U0SRE', createdAt: T0 }, T0);
    const going = detectorAlert('payment', ['error_rate'], T0 + 5 * MINUTE, 'critical');
    const stopped = detectorAlert('cart', ['error_rate'], T0 + 5 * MINUTE, 'critical');
    await deliver([going, stopped], T0 + 5 * MINUTE);
    // Detection keeps reporting payment's anomaly as ongoing; cart's went quiet long ago.
    await deliver([{ ...going, receivedAt: T0 + 59 * MINUTE }], T0 + 59 * MINUTE);
    const released = await release(T0 + HOUR + 1);
    expect(released.map((record) => record.fingerprint)).toEqual([going.fingerprint]);
    expect((await incidents.open()).map((incident) => incident.services)).toEqual([['payment']]);
  });
});

describe('alerts in a maintenance window', () => {
  it('are held until the window ends, then raised if still firing, the window named on the incident', async () => {
    const { incidents, held, deliver, release } = world([{ services: ['database'], start: T0, end: T0 + HOUR, reason: 'Postgres 16 upgrade' }]);
    expect(await deliver([firing('am-db', 'database', T0 + 10 * MINUTE), firing('am-cart', 'cart', T0 + 10 * MINUTE)], T0 + 10 * MINUTE)).toEqual(['am-db']);
    expect((await incidents.open()).map((incident) => incident.services)).toEqual([['cart']]);
    await release(T0 + HOUR);
    const database = (await incidents.open()).find((incident) => incident.services.includes('database'))!;
    expect(heldBackContext(releasedInto(database, await held.released(Object.keys(database.alerts))))).toEqual([
      'Held back from 2024-05-14 10:10 UTC to 2024-05-14 11:00 UTC by a maintenance window (Postgres 16 upgrade); still firing when it ended: database latency high',
    ]);
  });
});

describe('silencing an incident naming no catalogued service', () => {
  it('holds its alerts by fingerprint and the rest of its Alertmanager group', async () => {
    const { incidents, silences, deliver } = world();
    const group = { key: '{}/{}:{cluster="eu-1"}', labels: { cluster: 'eu-1' }, receiver: 'aiops', truncatedAlerts: 0 };
    const node = (fingerprint: string, at: number): Alert => ({ ...firing(fingerprint, undefined, at), name: 'NodeDown', labels: { alertname: 'NodeDown', cluster: 'eu-1', instance: fingerprint }, group });
    await deliver([node('node-1', T0)], T0);
    const [incident] = await incidents.open();
    await silences.addAll(silenceTargetsForIncident(incident!).map((target) => ({ target, until: T0 + HOUR, by: 'U0SRE', createdAt: T0 })), T0);
    await deliver([{ ...node('node-1', T0 + 2 * MINUTE), status: 'resolved', startsAt: T0, endsAt: T0 + 2 * MINUTE }], T0 + 2 * MINUTE);
    // The same node fires again, and another node of the group: both held, no new incident.
    expect(await deliver([node('node-1', T0 + 20 * MINUTE), node('node-2', T0 + 20 * MINUTE)], T0 + 20 * MINUTE)).toEqual(['node-1', 'node-2']);
    expect(await incidents.open()).toEqual([]);
  });
});
