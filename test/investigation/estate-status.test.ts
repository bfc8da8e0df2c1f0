import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estateStatus } from '../../src/investigation/estate-status.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { AuditLog } from '../../src/state/audit-log.js';
import { IncidentAcknowledgements } from '../../src/state/incident-acknowledgements.js';
import { IncidentStore } from '../../src/state/incident-store.js';
import { MINUTE, T0, anomaly, catalogue, detectorAlert, managerAlert } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';

const HOUR = 60 * MINUTE;
// A fresh database on the tests' own Redis: never a Redis the tests were not given.
const { redis } = await testRedis();
let prefix: string;
let store: IncidentStore;

beforeEach(() => {
  prefix = `test:${randomUUID()}:`;
  // Resolved incidents are kept two days here, so the status alone decides what a day means.
  store = new IncidentStore(redis, prefix, catalogue, { retentionMilliseconds: 48 * HOUR });
});

afterEach(async () => {
  await store.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  redis.disconnect();
});

function dependencies(now: number, withStore = true) {
  return {
    catalogue,
    anomalies: new AnomalyLog(redis, prefix),
    audit: new AuditLog(redis, prefix),
    now: () => now,
    ...(withStore ? { incidents: store, acknowledgements: new IncidentAcknowledgements(redis, prefix) } : {}),
  };
}

describe('estateStatus', () => {
  it('lists open incidents and those resolved within a day, newest first, with acknowledgement and root message', async () => {
    const now = T0 + 30 * HOUR;
    const old = managerAlert({ fingerprint: 'o000000000000001', service: 'shipping', status: 'firing', startsAt: T0, receivedAt: T0 });
    await store.ingest([old], T0);
    await store.resolve('INC-1', 'U0DAVE', T0 + HOUR);
    const recent = managerAlert({ fingerprint: 'o000000000000002', service: 'cart', status: 'firing', startsAt: now - 3 * HOUR, receivedAt: now - 3 * HOUR });
    await store.ingest([recent, { ...recent, status: 'resolved', endsAt: now - 2 * HOUR, receivedAt: now - 2 * HOUR }], now - 2 * HOUR);
    await store.ingest([detectorAlert('database', ['latency_p95'], now - 10 * MINUTE, 'critical'), detectorAlert('order-service', ['latency_p95'], now - 8 * MINUTE)], now - 8 * MINUTE);
    await new IncidentAcknowledgements(redis, prefix).acknowledge('INC-3', { by: 'U0CAROL', at: now - 5 * MINUTE });
    await store.setMessage('INC-3', { channel: 'C0PLATFORM', ts: '1715680800.000100' });

    const status = await estateStatus(dependencies(now));
    expect(status.incidents).toEqual([
      {
        id: 'INC-3',
        status: 'open',
        severity: 'critical',
        flapping: false,
        origin: 'database',
        services: ['database', 'order-service'],
        firingAlerts: 2,
        totalAlerts: 2,
        firstSeen: now - 10 * MINUTE,
        lastSeen: now - 8 * MINUTE,
        resolvedAt: undefined,
        resolvedBy: undefined,
        acknowledgedBy: 'U0CAROL',
        message: { channel: 'C0PLATFORM', ts: '1715680800.000100' },
      },
      expect.objectContaining({ id: 'INC-2', status: 'resolved', services: ['cart'], firingAlerts: 0, totalAlerts: 1, resolvedAt: now - 2 * HOUR, acknowledgedBy: undefined, message: undefined }),
    ]);
  });

  it('falls back to recent anomalies, one open incident each, where there is no incident store', async () => {
    const now = T0 + HOUR;
    await new AnomalyLog(redis, prefix).record(anomaly('payment', ['error_rate'], now - 10 * MINUTE, 'critical'));
    await store.ingest([detectorAlert('cart', ['error_rate'], now - 5 * MINUTE)], now);
    const status = await estateStatus(dependencies(now, false));
    expect(status.incidents).toEqual([
      expect.objectContaining({ id: `payment:anomaly:${now - 10 * MINUTE}`, status: 'open', severity: 'critical', origin: 'payment', services: ['payment'], headline: 'payment: error_rate unusual', predicted: false }),
    ]);
  });
});
