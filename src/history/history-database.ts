import pg from 'pg';
import type { Incident } from '../alerts/incident.js';
import { incidentAlertRecord } from '../alerts/incident-alert-record.js';
import type { ForecastDigest } from '../forecast/forecast-digest.js';
import type { AuditEntry } from '../state/audit-log.js';
import type { RemediationRecord } from '../state/remediation-requests.js';
import { incidentTimeline, type IncidentFacts } from './history-rows.js';
import { migrate, type MigrationResult } from './migrate.js';

/** How long a connection or a query may take before the write counts as failed (and is retried later). */
const CONNECT_TIMEOUT_MILLISECONDS = 5000;
const QUERY_TIMEOUT_MILLISECONDS = 15_000;

/** What `/aiops history` and the digest read: incidents per service, time to resolve, actions that helped. */
export interface HistorySummary {
  since: number;
  incidents: number;
  resolved: number;
  /** Mean time from first seen to resolved, ms, over those resolved; undefined when none were. */
  meanTimeToResolve?: number;
  byService: Array<{ service: string; incidents: number; meanTimeToResolve?: number }>;
  /** Remediation kinds run and verified, with how many helped. */
  actions: Array<{ kind: string; service: string; runs: number; helped: number }>;
  /** The latest incidents, newest first. */
  latest: Array<{ id: string; firstSeen: number; severity: string; services: string[]; status: string; resolvedAt?: number; resolvedBy?: string }>;
}

/**
 * PostgreSQL as the bot's memory beyond Redis's day: incidents with their alerts and timeline,
 * remediation requests and their approvals, the audit trail and forecasts. Every write is an
 * idempotent upsert, so a write retried after a failure, or made by two replicas, leaves one row.
 */
export class HistoryDatabase {
  private readonly pool: pg.Pool;

  constructor(url: string, onError: (error: Error) => void) {
    this.pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MILLISECONDS, query_timeout: QUERY_TIMEOUT_MILLISECONDS, max: 4 });
    // An idle connection dropped by a restarting server must not end the process: the next query reconnects.
    this.pool.on('error', onError);
  }

  migrate(): Promise<MigrationResult> {
    return migrate(this.pool);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async recordIncident(incident: Incident & { revision: number }, facts: IncidentFacts): Promise<void> {
    const alerts = Object.values(incident.alerts).map(incidentAlertRecord);
    // A replica or a retry writing an older revision after a newer one leaves the newer.
    await this.pool.query(
      `INSERT INTO incidents (id, first_seen, status, severity, services, origin, last_seen, resolved_at, resolved_by, acknowledged_by, acknowledged_at, merged_into, alerts, timeline, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (id, first_seen) DO UPDATE SET status = EXCLUDED.status, severity = EXCLUDED.severity, services = EXCLUDED.services, origin = EXCLUDED.origin,
         last_seen = EXCLUDED.last_seen, resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by, acknowledged_by = EXCLUDED.acknowledged_by,
         acknowledged_at = EXCLUDED.acknowledged_at, merged_into = EXCLUDED.merged_into, alerts = EXCLUDED.alerts, timeline = EXCLUDED.timeline,
         revision = EXCLUDED.revision, recorded_at = now()
       WHERE incidents.revision <= EXCLUDED.revision`,
      [
        incident.id,
        new Date(incident.firstSeen),
        incident.status,
        facts.severity,
        incident.services,
        incident.origin ?? null,
        new Date(incident.lastSeen),
        incident.resolvedAt === undefined ? null : new Date(incident.resolvedAt),
        incident.resolvedBy ?? null,
        facts.acknowledgement?.by ?? null,
        facts.acknowledgement ? new Date(facts.acknowledgement.at) : null,
        incident.mergedInto ?? null,
        JSON.stringify(alerts),
        JSON.stringify(incidentTimeline(incident, facts)),
        incident.revision,
      ],
    );
  }

  /** Audit entries by their stream id; one already copied is skipped. */
  async recordAudit(entries: ReadonlyArray<{ id: string; entry: AuditEntry }>): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const rows = entries.map(({ id, entry }, index) => {
      values.push(new Date(entry.at), id, entry.actor, entry.action, entry.target, entry.detail);
      const base = index * 6;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6})`;
    });
    await this.pool.query(`INSERT INTO audit_entries (at, stream_id, actor, action, target, detail) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`, values);
  }

  /** Remediation requests as they stand now, and every decision on them. */
  async recordActions(records: readonly RemediationRecord[]): Promise<void> {
    if (records.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const record of records) {
        await client.query(
          `INSERT INTO actions (id, created_at, status, kind, service, namespace, incident_id, requested_by, severity, helped, outcome, record)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (id, created_at) DO UPDATE SET status = EXCLUDED.status, helped = EXCLUDED.helped, outcome = EXCLUDED.outcome, record = EXCLUDED.record, recorded_at = now()
           WHERE actions.record IS DISTINCT FROM EXCLUDED.record`,
          [
            record.id,
            new Date(record.createdAt),
            record.status,
            record.request.action,
            record.request.service,
            record.request.namespace,
            record.incidentId ?? null,
            record.requestedBy,
            record.severity,
            record.verification?.helped ?? null,
            record.execution?.outcome ?? record.problem ?? null,
            JSON.stringify(record),
          ],
        );
        const decisions = [...record.approvals.map((decision) => ({ ...decision, decision: 'approved' })), ...(record.rejection ? [{ ...record.rejection, decision: 'rejected' }] : [])];
        for (const decision of decisions) {
          await client.query('INSERT INTO approvals (action_id, action_created_at, decided_by, decision, decided_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
            record.id,
            new Date(record.createdAt),
            decision.by,
            decision.decision,
            new Date(decision.at),
          ]);
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async recordForecasts(digests: readonly ForecastDigest[]): Promise<void> {
    for (const digest of digests) {
      await this.pool.query(
        `INSERT INTO forecasts (service, signal, generated_at, horizon_hours, model, current_value, peak, capacity, current_replicas, recommended_replicas, digest)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
        [
          digest.service,
          digest.signal,
          new Date(digest.generatedAt),
          digest.horizonHours,
          digest.model,
          digest.current,
          digest.peak,
          digest.limit ?? null,
          digest.currentReplicas ?? null,
          digest.recommendedReplicas ?? null,
          JSON.stringify(digest),
        ],
      );
    }
  }

  /**
   * Incidents first seen in [since, until) (touching `services`, or all), how fast they were
   * resolved, incidents per service, the remediation actions run and how many helped, and the latest few.
   */
  async summary(since: number, options: { until?: number; services?: readonly string[]; latest?: number } = {}): Promise<HistorySummary> {
    const parameters: unknown[] = [new Date(since), new Date(options.until ?? Date.now() + 86_400_000)];
    const scoped = options.services !== undefined;
    if (scoped) parameters.push(options.services);
    const incidentScope = scoped ? 'AND services && $3::text[]' : '';
    const window = 'first_seen >= $1 AND first_seen < $2 AND merged_into IS NULL';
    const totals = await this.pool.query<{ incidents: string; resolved: string; mttr: string | null }>(
      `SELECT count(*) AS incidents, count(resolved_at) AS resolved, avg(extract(epoch FROM resolved_at - first_seen) * 1000) AS mttr
       FROM incidents WHERE ${window} ${incidentScope}`,
      parameters,
    );
    const byService = await this.pool.query<{ service: string; incidents: string; mttr: string | null }>(
      `SELECT service, count(*) AS incidents, avg(extract(epoch FROM resolved_at - first_seen) * 1000) AS mttr
       FROM incidents, unnest(services) AS service WHERE ${window} ${scoped ? 'AND service = ANY($3::text[])' : ''}
       GROUP BY service ORDER BY count(*) DESC, service LIMIT 10`,
      parameters,
    );
    const actions = await this.pool.query<{ kind: string; service: string; runs: string; helped: string }>(
      `SELECT kind, service, count(*) AS runs, count(*) FILTER (WHERE helped) AS helped
       FROM actions WHERE created_at >= $1 AND created_at < $2 AND status = 'done' ${scoped ? 'AND service = ANY($3::text[])' : ''}
       GROUP BY kind, service ORDER BY count(*) FILTER (WHERE helped) DESC, count(*) DESC, kind, service LIMIT 10`,
      parameters,
    );
    const recent = await this.pool.query<{ id: string; first_seen: Date; severity: string; services: string[]; status: string; resolved_at: Date | null; resolved_by: string | null }>(
      `SELECT id, first_seen, severity, services, status, resolved_at, resolved_by FROM incidents
       WHERE ${window} ${incidentScope} ORDER BY first_seen DESC LIMIT ${Math.max(1, Math.min(options.latest ?? 5, 50))}`,
      parameters,
    );
    const totalsRow = totals.rows[0]!;
    return {
      since,
      incidents: Number(totalsRow.incidents),
      resolved: Number(totalsRow.resolved),
      ...(totalsRow.mttr === null ? {} : { meanTimeToResolve: Number(totalsRow.mttr) }),
      byService: byService.rows.map((row) => ({ service: row.service, incidents: Number(row.incidents), ...(row.mttr === null ? {} : { meanTimeToResolve: Number(row.mttr) }) })),
      actions: actions.rows.map((row) => ({ kind: row.kind, service: row.service, runs: Number(row.runs), helped: Number(row.helped) })),
      latest: recent.rows.map((row) => ({
        id: row.id,
        firstSeen: row.first_seen.getTime(),
        severity: row.severity,
        services: row.services,
        status: row.status,
        ...(row.resolved_at ? { resolvedAt: row.resolved_at.getTime() } : {}),
        ...(row.resolved_by ? { resolvedBy: row.resolved_by } : {}),
      })),
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
