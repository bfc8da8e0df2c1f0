import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryDatabase } from '../../src/history/history-database.js';
import { HistoryRecorder } from '../../src/history/history-recorder.js';
import { createLogger } from '../../src/logger.js';
import type { RemediationRecord } from '../../src/state/remediation-requests.js';
import { createStores, type Stores } from '../../src/state/stores.js';
import { catalogue, managerAlert } from '../alerts/builders.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { skipWithout } from '../support/requirements.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * The copy of Redis's state to PostgreSQL, against a PostgreSQL cluster of the test's own and a
 * real Redis: incidents with their alerts and timeline, acknowledgements, audit entries,
 * remediation requests with their approvals, forecasts; and a change made while the database
 * restarts, written once it is back.
 */

const skip = skipWithout('postgres', 'the PostgreSQL history tests');
const { redis } = await testRedis();
const NOW = Date.now() - 3_600_000;
const MINUTE = 60_000;
let server: PostgresServer;
let database: HistoryDatabase;
let recorder: HistoryRecorder;
let stores: Stores;
let client: pg.Client;
const lines: Array<Record<string, unknown>> = [];

function destination() {
  return { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } as unknown as NodeJS.WritableStream;
}

async function rows<Row extends pg.QueryResultRow>(sql: string, parameters: unknown[] = []): Promise<Row[]> {
  return (await client.query<Row>(sql, parameters)).rows;
}

function action(extra: Partial<RemediationRecord> = {}): Omit<RemediationRecord, 'id'> {
  return {
    request: { action: 'rollback', service: 'payment', namespace: 'shop', deployment: 'payment' },
    parametersHash: 'hash',
    rule: 'approve',
    reason: 'errors since the deploy of payment 2.5.0',
    preview: 'would roll shop/payment back to 2.4.0',
    diff: [],
    risk: 'medium',
    verificationPlan: 'error_rate back under 1%',
    targetVersion: '{}',
    requestedBy: 'aiops',
    severity: 'critical',
    createdAt: NOW,
    expiresAt: NOW + 15 * MINUTE,
    status: 'pending',
    approvals: [],
    signals: [],
    ...extra,
  };
}

describe.skipIf(skip)('the PostgreSQL history', () => {
  beforeAll(async () => {
    server = await startPostgresServer();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    client.on('error', () => undefined);
    stores = createStores(redis, 'history-test:', { catalogue });
    const logger = createLogger({ level: 'info', destination: destination() });
    database = new HistoryDatabase(server.url, () => undefined);
    recorder = new HistoryRecorder({ database, stores, catalogue, logger, roundMilliseconds: 200 });
    recorder.start();
  }, 60_000);

  afterAll(async () => {
    await recorder?.stop();
    await client?.end().catch(() => undefined);
    await stores?.incidents.close();
    await server?.stop();
    await redis.quit();
  });

  it('migrates once, and again changes nothing', async () => {
    await until(async () => (await rows('SELECT name FROM schema_migrations').catch(() => [])).length === 1, 'the migrations applied');
    expect(await database.migrate()).toEqual({ applied: [], timescale: false });
    expect((await rows<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map((row) => row.tablename)).toEqual([
      'actions',
      'approvals',
      'audit_entries',
      'forecasts',
      'incidents',
      'schema_migrations',
    ]);
  });

  it('writes an incident with its alerts and timeline, and its acknowledgement when someone takes it on', async () => {
    const [change] = await stores.incidents.ingest(
      [managerAlert({ fingerprint: 'hist0001', status: 'firing', startsAt: NOW, receivedAt: NOW, severity: 'critical', labels: { alertname: 'HighErrorRate', service: 'payment' }, service: 'payment', summary: 'payment failing' })],
      NOW,
    );
    const id = change!.incidentId!;
    await until(async () => (await rows('SELECT id FROM incidents WHERE id = $1', [id])).length === 1, 'the incident written');
    const [written] = await rows<{ status: string; severity: string; services: string[]; alerts: Array<{ name: string }>; timeline: Array<{ event: string }> }>('SELECT * FROM incidents WHERE id = $1', [id]);
    expect(written).toMatchObject({ status: 'open', severity: 'critical', services: ['payment'], alerts: [{ name: 'HighErrorRate' }] });
    expect(written!.timeline.map((event) => event.event)).toEqual(['opened', 'alert-firing']);

    await stores.acknowledgements.acknowledge(id, { by: 'U0CAROL', at: NOW + MINUTE });
    await until(async () => (await rows<{ acknowledged_by: string | null }>('SELECT acknowledged_by FROM incidents WHERE id = $1', [id]))[0]?.acknowledged_by === 'U0CAROL', 'the acknowledgement written');
  });

  it('keeps a change made while PostgreSQL restarts, and writes it once the database is back', async () => {
    const [open] = await stores.incidents.open();
    await server.halt();
    await stores.incidents.resolve(open!.id, 'U0DAVE', NOW + 10 * MINUTE);
    await stores.audit.append({ at: NOW + 10 * MINUTE, actor: 'U0DAVE', action: 'resolve', target: open!.id, detail: `resolved ${open!.id} by hand` });
    await until(() => lines.some((line) => String(line.msg).startsWith('history: not written')), 'the failure told');
    await server.start();
    await client.end().catch(() => undefined);
    client = new pg.Client({ connectionString: server.url });
    client.on('error', () => undefined);
    await client.connect();
    await until(async () => (await rows<{ status: string }>('SELECT status FROM incidents WHERE id = $1', [open!.id]))[0]?.status === 'resolved', 'the resolution written after the restart', 30_000);
    const [resolved] = await rows<{ resolved_by: string; timeline: Array<{ event: string; detail: string }> }>('SELECT resolved_by, timeline FROM incidents WHERE id = $1', [open!.id]);
    expect(resolved!.resolved_by).toBe('U0DAVE');
    expect(resolved!.timeline.map((event) => event.event)).toEqual(['opened', 'alert-firing', 'acknowledged', 'alert-resolved', 'resolved']);
    await until(async () => (await rows('SELECT * FROM audit_entries WHERE action = $1', ['resolve'])).length === 1, 'the audit entry written');
    // Said once the round that wrote them has finished, a moment after the rows are visible.
    await until(() => lines.some((line) => String(line.msg).startsWith('history: PostgreSQL written again')), 'the recovery told');
    expect(lines.filter((line) => String(line.msg).startsWith('history: not written'))).toHaveLength(1);
    // Written once: the rounds after compare versions and write nothing more.
    expect(await rows('SELECT * FROM incidents')).toHaveLength(1);
  }, 60_000);

  it('writes remediation requests with their approvals, and forecasts once each', async () => {
    const { record } = await stores.remediations.create(action());
    await stores.remediations.transition(record.id, (current) => ({ record: { ...current, status: 'done', approvals: [{ by: 'U0SRE', at: NOW + 2 * MINUTE }], verification: { at: NOW + 9 * MINUTE, helped: true, lines: ['error_rate 0.4 → 0.01'] } }, result: undefined }));
    await stores.forecasts.save({ service: 'payment', signal: 'cpu', generatedAt: NOW, horizonHours: 24, model: 'seasonal', backtestError: 0.1, current: 0.5, peak: 0.9, peakAt: NOW + 3_600_000, average: 0.6, hourly: [] });
    await until(async () => (await rows('SELECT * FROM approvals')).length === 1 && (await rows('SELECT * FROM forecasts')).length === 1, 'the action, its approval and the forecast written');
    expect(await rows('SELECT id, status, kind, service, helped FROM actions')).toEqual([{ id: record.id, status: 'done', kind: 'rollback', service: 'payment', helped: true }]);
    expect(await rows('SELECT decided_by, decision FROM approvals')).toEqual([{ decided_by: 'U0SRE', decision: 'approved' }]);
  });

  it('summarises the history: incidents per service, time to resolve, the actions that helped', async () => {
    const summary = await database.summary(NOW - MINUTE, { until: NOW + 60 * MINUTE });
    expect(summary).toMatchObject({ incidents: 1, resolved: 1, meanTimeToResolve: 10 * MINUTE, byService: [{ service: 'payment', incidents: 1, meanTimeToResolve: 10 * MINUTE }], actions: [{ kind: 'rollback', service: 'payment', runs: 1, helped: 1 }] });
    expect(summary.latest).toMatchObject([{ status: 'resolved', services: ['payment'], resolvedBy: 'U0DAVE' }]);
    expect(await database.summary(NOW - MINUTE, { until: NOW + 60 * MINUTE, services: ['cart'] })).toMatchObject({ incidents: 0, byService: [], actions: [] });
  });
});
