import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidentChannel } from '../../src/alerts/incident-channel.js';
import { formatDuration, parseDuration } from '../../src/duration.js';
import { Incidents } from '../../src/incidents/incidents.js';
import { silentLogger } from '../../src/logger.js';
import { createStores, type Stores } from '../../src/state/stores.js';
import { anomaly, catalogue, detectorAlert, MINUTE, T0 } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The incident use cases without a transport: what the webhook, the workers, Slack's buttons and
 * `/aiops silence` all call, against real Redis under a fresh prefix.
 */

const { redis } = await testRedis();
let prefix: string;
let stores: Readonly<Stores>;
let clock: { now: number };
let counted: string[];
let incidents: Incidents;

beforeEach(() => {
  prefix = `test:incidents:${randomUUID()}:`;
  stores = createStores(redis, prefix, { catalogue });
  clock = { now: T0 };
  counted = [];
  const counters = { anomalyRaised: () => void counted.push('raised'), anomalySilenced: () => void counted.push('silenced') };
  incidents = new Incidents({ stores, catalogue, now: () => clock.now, logger: silentLogger(), counters });
});

afterEach(async () => {
  await stores.incidents.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

describe('Incidents', () => {
  it('raises an anomaly into the anomaly log and an incident, and holds one a silence covers, counting each', async () => {
    await incidents.anomalyRaised(anomaly('payment', ['error_rate'], T0));
    expect((await stores.anomalies.since(T0 - MINUTE)).map((recorded) => recorded.service)).toEqual(['payment']);
    expect((await stores.incidents.open()).map((incident) => incident.services)).toEqual([['payment']]);

    await incidents.silence('cart', 30 * MINUTE, 'U0SRE');
    await incidents.anomalyRaised(anomaly('cart', ['latency_p95'], T0 + MINUTE));
    expect((await stores.anomalies.since(T0 - MINUTE)).map((recorded) => recorded.service)).toEqual(['payment']);
    expect(await stores.heldAlerts.due(T0 + 31 * MINUTE)).toHaveLength(1);
    expect(counted).toEqual(['raised', 'silenced']);
  });

  it('acknowledges and resolves once each, audits both, and says when an incident is unknown or done already', async () => {
    await incidents.intake([detectorAlert('payment', ['error_rate'], T0)]);
    clock.now = T0 + 5 * MINUTE;
    expect(await incidents.acknowledge('INC-404', 'U0DAVE')).toEqual({ outcome: 'unknown' });
    expect((await incidents.acknowledge('INC-1', 'U0DAVE')).outcome).toBe('done');
    expect((await incidents.acknowledge('INC-1', 'U0ERIN')).outcome).toBe('already');
    expect((await stores.acknowledgements.get('INC-1'))?.by).toBe('U0DAVE');
    expect((await incidents.resolve('INC-1', 'U0DAVE')).outcome).toBe('done');
    expect((await incidents.resolve('INC-1', 'U0ERIN')).outcome).toBe('already');
    expect((await stores.incidents.get('INC-1'))?.status).toBe('resolved');
    expect((await stores.audit.recent(5)).map((entry) => `${entry.actor} ${entry.action} ${entry.target}: ${entry.detail}`)).toEqual([
      'U0DAVE resolve INC-1: resolved INC-1 (payment) by hand',
      'U0DAVE acknowledge INC-1: acknowledged INC-1 (payment)',
    ]);
  });

  it("silences an incident's services by its id, and any other target as it is, audited with the duration as typed", async () => {
    await incidents.intake([detectorAlert('payment', ['error_rate'], T0)]);
    const byIncident = await incidents.silence('INC-1', 2 * 60 * MINUTE, 'U0SRE');
    expect(byIncident).toMatchObject({ incident: { id: 'INC-1' }, scope: 'payment', until: T0 + 120 * MINUTE });
    expect(await incidents.silence('cart', 30 * MINUTE, 'U0SRE')).toEqual({ scope: 'cart', until: T0 + 30 * MINUTE });
    expect(await stores.silences.covered(['payment', 'cart', 'user'], T0 + MINUTE)).toEqual(new Set(['payment', 'cart']));
    expect((await stores.audit.recent(5)).map((entry) => entry.detail)).toEqual(['silenced cart for 30m', 'silenced INC-1 (payment) for 2h']);
  });

  it('raises a held alert once its silence has ended, through the release', async () => {
    await incidents.silence('payment', 10 * MINUTE, 'U0SRE');
    await incidents.intake([detectorAlert('payment', ['error_rate'], T0 + MINUTE)], T0 + MINUTE);
    expect(await stores.incidents.open()).toEqual([]);
    clock.now = T0 + 11 * MINUTE;
    await incidents.anomalyOngoing(anomaly('payment', ['error_rate'], T0 + MINUTE), clock.now);
    expect(await incidents.release()).toHaveLength(1);
    expect((await stores.incidents.open()).map((incident) => incident.services)).toEqual([['payment']]);
  });
});

describe('the pure pieces the transports share', () => {
  it('routes an incident to its origin’s channel, else its first service’s, else the catch-all', () => {
    expect(incidentChannel({ origin: 'payment', services: ['checkout', 'payment'] }, catalogue)).toBe(catalogue.services.payment!.channel);
    expect(incidentChannel({ services: ['checkout'] }, catalogue)).toBe(catalogue.services.checkout!.channel);
    expect(incidentChannel({ services: [] }, catalogue)).toBe(catalogue.alerting.defaultChannel);
  });

  it('writes a duration back as parseDuration reads it', () => {
    for (const text of ['30s', '90m', '2h', '1d']) expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});
