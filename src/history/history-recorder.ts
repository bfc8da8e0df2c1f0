import { createHash } from 'node:crypto';
import { escalatedSeverity, firedRules } from '../alerts/escalation.js';
import type { Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import { SIGNALS } from '../signals.js';
import type { Stores } from '../state/stores.js';
import type { HistoryDatabase } from './history-database.js';

export interface HistoryRecorderDependencies {
  database: HistoryDatabase;
  stores: Pick<Stores, 'incidents' | 'acknowledgements' | 'escalations' | 'audit' | 'remediations' | 'forecasts' | 'historyProgress'>;
  catalogue: Catalogue;
  logger: Logger;
  /** Real time. Default Date.now. */
  wallClock?: () => number;
  /** How often a round copies what changed, ms. Default 10 s. */
  roundMilliseconds?: number;
}

/** A round copies at most this many audit entries; the rest follow next round. */
const AUDIT_BATCH = 1000;
/** Remediation requests are looked at this far back: they change for a day at most (expiry, verification). */
const ACTIONS_LOOKBACK_MILLISECONDS = 2 * 86_400_000;
/** The migrations are tried again this often while PostgreSQL cannot be reached at start. */
const MIGRATE_RETRY_MILLISECONDS = 30_000;

/**
 * Copies the bot's state to PostgreSQL: every incident kept in Redis whose revision,
 * acknowledgement or escalations changed since last written; remediation requests whose content
 * changed, with their approvals; new audit entries after the last one copied; new forecasts.
 * Level-triggered: each round compares what Redis holds with what was written (HistoryProgress)
 * and writes the difference, so a write that fails (PostgreSQL restarting, unreachable) is
 * simply made in a later round and nothing is lost while Redis still keeps it (a resolved
 * incident for a day, the audit stream's last 10,000 entries). One replica copies at a time.
 */
export class HistoryRecorder {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private migrated = false;
  private failing = false;
  private stopped = false;
  private readonly wallClock: () => number;
  private readonly roundMilliseconds: number;

  constructor(private readonly dependencies: HistoryRecorderDependencies) {
    this.wallClock = dependencies.wallClock ?? Date.now;
    this.roundMilliseconds = dependencies.roundMilliseconds ?? 10_000;
  }

  /** Migrates (retrying in the background while PostgreSQL is unreachable), then copies every round. */
  start(): void {
    void this.migrateUntilDone();
    this.timer = setInterval(() => void this.round(), this.roundMilliseconds);
  }

  /** One last round, so what changed just before a stop is written, then the pool is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    if (this.migrated) await this.round();
    await this.dependencies.database.close();
  }

  private async migrateUntilDone(): Promise<void> {
    const { database, logger } = this.dependencies;
    while (!this.migrated && !this.stopped) {
      try {
        const result = await database.migrate();
        this.migrated = true;
        logger.info({ applied: result.applied, timescale: result.timescale }, `history: PostgreSQL ready${result.applied.length > 0 ? `, applied ${result.applied.join(', ')}` : ''}${result.timescale ? ' (TimescaleDB hypertables)' : ''}`);
        await this.round();
      } catch (error) {
        logger.warn({ error: (error as Error).message }, `history: PostgreSQL not ready (DATABASE_URL); trying again in ${MIGRATE_RETRY_MILLISECONDS / 1000} s, and Redis keeps what waits`);
        await new Promise((resolve) => setTimeout(resolve, MIGRATE_RETRY_MILLISECONDS).unref());
      }
    }
  }

  /** Copies what changed; a round already running makes this one nothing. Never throws. */
  round(): Promise<void> {
    if (!this.migrated || this.running) return this.running ?? Promise.resolve();
    this.running = this.dependencies.stores.historyProgress
      .exclusively(Math.max(60_000, this.roundMilliseconds * 6), () => this.copy())
      .then(
        () => {
          if (this.failing) this.dependencies.logger.info('history: PostgreSQL written again; what waited is copied');
          this.failing = false;
        },
        (error: Error) => {
          if (!this.failing) this.dependencies.logger.warn({ error: error.message }, `history: not written (${error.message}); trying again every ${this.roundMilliseconds / 1000} s, nothing lost while Redis keeps it`);
          this.failing = true;
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async copy(): Promise<void> {
    await this.copyIncidents();
    await this.copyAudit();
    await this.copyActions();
    await this.copyForecasts();
  }

  private async copyIncidents(): Promise<void> {
    const { stores, database, catalogue } = this.dependencies;
    const [incidents, recorded, acknowledgements] = await Promise.all([stores.incidents.all(), stores.historyProgress.recorded('incidents'), stores.acknowledgements.all()]);
    // Every kept incident is compared each round: its facts in two reads, not two per incident.
    const fired = await stores.escalations.firedFor(incidents.map((incident) => incident.id));
    const written = new Map<string, string>();
    try {
      for (const incident of incidents) {
        const acknowledgement = acknowledgements.get(incident.id);
        const escalations = fired.get(incident.id) ?? [];
        // The id alone is not the key: after a Redis emptied, INC-1 comes again, a different incident.
        const key = `${incident.id}@${incident.firstSeen}`;
        const version = `${incident.revision}:${acknowledgement?.at ?? ''}:${escalations.join('|')}`;
        if (recorded.get(key) === version) continue;
        const severity = escalatedSeverity(incident, firedRules(escalations, catalogue.alerting.escalation));
        await database.recordIncident(incident, { severity, escalations, ...(acknowledgement ? { acknowledgement } : {}) });
        written.set(key, version);
      }
    } finally {
      // What was written before a failure stays written: not again next round.
      await stores.historyProgress.markRecorded('incidents', written);
    }
    const kept = new Set(incidents.map((incident) => `${incident.id}@${incident.firstSeen}`));
    await stores.historyProgress.forget('incidents', [...recorded.keys()].filter((key) => !kept.has(key)));
  }

  private async copyAudit(): Promise<void> {
    const { stores, database } = this.dependencies;
    for (let cursor = await stores.historyProgress.auditCursor(); ; ) {
      const entries = await stores.audit.after(cursor, AUDIT_BATCH);
      if (entries.length === 0) return;
      await database.recordAudit(entries);
      cursor = entries.at(-1)!.id;
      await stores.historyProgress.setAuditCursor(cursor);
      if (entries.length < AUDIT_BATCH) return;
    }
  }

  private async copyActions(): Promise<void> {
    const { stores, database } = this.dependencies;
    const [records, recorded] = await Promise.all([stores.remediations.recent(this.wallClock() - ACTIONS_LOOKBACK_MILLISECONDS), stores.historyProgress.recorded('actions')]);
    const versions = new Map(records.map((record) => [record.id, createHash('sha1').update(JSON.stringify(record)).digest('hex')]));
    const changed = records.filter((record) => recorded.get(record.id) !== versions.get(record.id));
    await database.recordActions(changed);
    await stores.historyProgress.markRecorded('actions', new Map(changed.map((record) => [record.id, versions.get(record.id)!])));
    await stores.historyProgress.forget('actions', [...recorded.keys()].filter((id) => !versions.has(id)));
  }

  private async copyForecasts(): Promise<void> {
    const { stores, database, catalogue } = this.dependencies;
    const [digests, recorded] = await Promise.all([stores.forecasts.many(Object.keys(catalogue.services), SIGNALS), stores.historyProgress.recorded('forecasts')]);
    const fresh = digests.filter((digest) => recorded.get(`${digest.service}:${digest.signal}`) !== String(digest.generatedAt));
    await database.recordForecasts(fresh);
    await stores.historyProgress.markRecorded('forecasts', new Map(fresh.map((digest) => [`${digest.service}:${digest.signal}`, String(digest.generatedAt)])));
  }
}
