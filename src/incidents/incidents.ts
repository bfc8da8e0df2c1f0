import { alertFromAnomaly, type Alert } from '../alerts/alert.js';
import { AlertSuppression } from '../alerts/alert-suppression.js';
import type { IncidentChange } from '../alerts/correlate.js';
import { describeSilenceScope, fingerprintsRaisedIn, silenceTargetsForIncident, type ReleasedAlert } from '../alerts/suppression.js';
import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../logger.js';
import type { StoredIncident } from '../state/incident-store.js';
import type { Stores } from '../state/stores.js';
import { logAnomaly, logChanges } from './incident-log.js';
import { sweepIncidentMessages } from './message-sweep.js';

export type IncidentStores = Pick<Stores, 'incidents' | 'outbox' | 'acknowledgements' | 'escalations' | 'silences' | 'heldAlerts' | 'anomalies' | 'audit' | 'changes'>;

/** Where raised and silenced anomalies are counted, for /metrics (telemetry's Metrics fits). */
export interface AnomalyCounters {
  anomalyRaised(anomaly: { kind: string; severity: string }): void;
  anomalySilenced(anomaly: { kind: string }): void;
}

export interface IncidentsDependencies {
  stores: IncidentStores;
  catalogue: Catalogue;
  /** The incidents' clock: the simulated world's in a demo, the wall clock in production. */
  now: () => number;
  /** Real time, for the outbox's due times (the incidents' own clock may be simulated). Default Date.now. */
  wallClock?: () => number;
  logger: Logger;
  counters?: AnomalyCounters;
}

/** What a person's action on an incident came to: done, done already (by them or someone else), or no such incident. */
export type ActionOutcome = { outcome: 'done'; incident: StoredIncident } | { outcome: 'already'; incident: StoredIncident } | { outcome: 'unknown' };

export interface SilenceOutcome {
  /** The incident the target named, when it named one: its services, uncatalogued alerts and groups were silenced. */
  incident?: StoredIncident;
  /** What the silence covers, for people: "payment", "1 alert naming no catalogued service …", or the target itself. */
  scope: string;
  /** When it ends, ms. */
  until: number;
}

export interface UnsilenceOutcome {
  incident?: StoredIncident;
  scope: string;
  /** Whether a silence was active and ended. */
  ended: boolean;
  /** The held alerts raised because it ended. */
  released: ReleasedAlert[];
}

/**
 * The incident use cases, created once with their stores and called by every transport: the
 * Alertmanager webhook and the detection workers bring alerts in, Slack's buttons and
 * `/aiops silence` (and later an HTTP API) act on incidents. So each rule, and the audit of what
 * people did, is written once. Every alert meets silences and maintenance windows first (held if
 * covered, raised when they end if still firing), then correlation into incidents; every change
 * shown in Slack is queued for it in the transaction that stores it, and logged here.
 */
export class Incidents {
  private readonly suppression: AlertSuppression;
  private readonly wallClock: () => number;

  constructor(private readonly dependencies: IncidentsDependencies) {
    const { stores, catalogue, logger } = dependencies;
    this.wallClock = dependencies.wallClock ?? Date.now;
    this.suppression = new AlertSuppression({
      silences: stores.silences,
      held: stores.heldAlerts,
      maintenance: catalogue.alerting.maintenance,
      raised: async (fingerprints) => fingerprintsRaisedIn(await stores.incidents.open(), fingerprints),
      logger,
    });
  }

  /** Alerts delivered (Alertmanager's, or our detectors' still going or over): held if silenced, else correlated. Resolves once stored. */
  async intake(alerts: readonly Alert[], at = this.dependencies.now()): Promise<IncidentChange[]> {
    return this.correlate((await this.suppression.intake(alerts, at)).kept);
  }

  /**
   * A new anomaly from detection: held if silenced (and counted so), otherwise recorded for
   * everything that shows what is wrong now (status, App Home, answers), correlated, counted and
   * logged, and App Home told.
   */
  async anomalyRaised(anomaly: Anomaly): Promise<void> {
    const { stores, counters, logger } = this.dependencies;
    // The suppression logs what it holds and until when.
    const { held } = await this.suppression.intake([alertFromAnomaly(anomaly)], anomaly.detectedAt);
    if (held.length > 0) return void counters?.anomalySilenced(anomaly);
    await stores.anomalies.record(anomaly);
    await this.correlate([alertFromAnomaly(anomaly)]);
    counters?.anomalyRaised(anomaly);
    logAnomaly(logger, anomaly);
    void stores.changes.announce(anomaly.id).catch(() => undefined);
  }

  /** An anomaly raised earlier goes on: its alert keeps firing, so its incident lasts. */
  async anomalyOngoing(anomaly: Anomaly, at: number): Promise<void> {
    await this.intake([{ ...alertFromAnomaly(anomaly), receivedAt: at }], at);
  }

  /** An anomaly raised earlier is over: its alert resolves. */
  async anomalyRecovered(anomaly: Anomaly, at: number): Promise<void> {
    await this.intake([{ ...alertFromAnomaly(anomaly), status: 'resolved', endsAt: at, receivedAt: at }], at);
  }

  get(id: string): Promise<StoredIncident | undefined> {
    return this.dependencies.stores.incidents.get(id);
  }

  /** Someone takes the incident on: recorded once (the first wins), audited, and its message redrawn to say who. */
  async acknowledge(id: string, by: string): Promise<ActionOutcome> {
    const { stores } = this.dependencies;
    const incident = await stores.incidents.get(id);
    if (!incident) return { outcome: 'unknown' };
    const at = this.dependencies.now();
    if (!(await stores.acknowledgements.acknowledge(incident.id, { by, at }))) return { outcome: 'already', incident };
    await stores.audit.append({ at, actor: by, action: 'acknowledge', target: incident.id, detail: `acknowledged ${incident.id} (${incident.services.join(', ')})` });
    await stores.outbox.touch(incident.id, this.wallClock());
    return { outcome: 'done', incident };
  }

  /**
   * Resolves an open incident by hand, audited. Of two at once (here or on another replica) only
   * the first resolves it; the change is queued for Slack with the resolution itself.
   */
  async resolve(id: string, by: string): Promise<ActionOutcome> {
    const { stores, logger } = this.dependencies;
    const incident = await stores.incidents.get(id);
    if (!incident) return { outcome: 'unknown' };
    const at = this.dependencies.now();
    const change = await stores.incidents.resolve(incident.id, by, at);
    if (!change) return { outcome: 'already', incident };
    logChanges(logger, [change]);
    await stores.audit.append({ at, actor: by, action: 'resolve', target: incident.id, detail: `resolved ${incident.id} (${incident.services.join(', ')}) by hand` });
    return { outcome: 'done', incident };
  }

  /**
   * Silences a target for a while: a catalogued service, a fingerprint, an anomaly id, or an
   * incident's id, which silences what the incident is made of (its services, and its uncatalogued
   * alerts by fingerprint and Alertmanager group). Alerts it covers are held, and raised when it
   * ends if still firing. Audited; App Home is told.
   */
  async silence(target: string, durationMilliseconds: number, by: string, reason?: string): Promise<SilenceOutcome> {
    const { stores } = this.dependencies;
    const at = this.dependencies.now();
    const incident = await stores.incidents.get(target);
    const until = at + durationMilliseconds;
    const targets = incident ? silenceTargetsForIncident(incident) : [target];
    await stores.silences.addAll(targets.map((covered) => ({ target: covered, until, by, createdAt: at, ...(reason ? { reason } : {}) })), at);
    const scope = incident ? describeSilenceScope(incident) : target;
    const named = incident ? `${incident.id} (${scope})` : scope;
    const why = reason ? `: ${reason}` : '';
    await stores.audit.append({ at, actor: by, action: 'silence', target, detail: `silenced ${named} for ${formatDuration(durationMilliseconds)}${why}` });
    await stores.changes.announce(`silence:${target}`);
    return { ...(incident ? { incident } : {}), scope, until };
  }

  /**
   * Ends a silence early: the target's own (a service, fingerprint or anomaly id), or what an
   * incident's silence covered. The alerts it held that still fire are raised at once, as when a
   * silence runs out. Audited; App Home is told. `ended` false when nothing was silenced.
   */
  async unsilence(target: string, by: string): Promise<UnsilenceOutcome> {
    const { stores } = this.dependencies;
    const at = this.dependencies.now();
    const incident = await stores.incidents.get(target);
    const targets = incident ? silenceTargetsForIncident(incident) : [target];
    const active = [...(await stores.silences.activeFor(targets, at)).keys()];
    const scope = incident ? describeSilenceScope(incident) : target;
    if (active.length === 0) return { ...(incident ? { incident } : {}), scope, ended: false, released: [] };
    await stores.silences.removeAll(active);
    const released = await this.suppression.releaseEndedSilences(active, at, (alerts) => this.correlate(alerts));
    const named = incident ? `${incident.id} (${scope})` : scope;
    await stores.audit.append({ at, actor: by, action: 'unsilence', target, detail: `ended the silence on ${named}; ${released.length} held alert(s) raised` });
    await stores.changes.announce(`silence:${target}`);
    return { ...(incident ? { incident } : {}), scope, ended: true, released };
  }

  /** Raises the held alerts whose silence or maintenance window has ended and that still fire; call it on a timer. */
  release(now = this.dependencies.now()): Promise<ReleasedAlert[]> {
    return this.suppression.release(now, (alerts) => this.correlate(alerts));
  }

  /** Ends what time alone ends (alerts gone quiet, incidents whose alerts all ended); call it on a timer. */
  async settle(now = this.dependencies.now()): Promise<void> {
    logChanges(this.dependencies.logger, await this.dependencies.stores.incidents.settle(now));
  }

  /** What time alone changes about incident messages, and the repair of messages older than their incidents (see sweepIncidentMessages). */
  sweep(): Promise<void> {
    return sweepIncidentMessages({ ...this.dependencies, wallClock: this.wallClock });
  }

  private async correlate(alerts: readonly Alert[]): Promise<IncidentChange[]> {
    const changes = await this.dependencies.stores.incidents.ingest(alerts, this.dependencies.now());
    logChanges(this.dependencies.logger, changes);
    return changes;
  }
}
