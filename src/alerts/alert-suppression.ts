import type { Logger } from '../logger.js';
import type { Alert } from './alert.js';
import type { MaintenanceWindow } from './noise-policy.js';
import { heldAfter, releasedAlert, releaseOf, silenceTargetsOf, suppressionOf, type HeldAlert, type ReleasedAlert, type Silence, type SuppressionCause } from './suppression.js';

/** The silences, as the suppression reads them (SilenceStore). */
export interface SilenceLookup {
  activeFor(targets: readonly string[], now: number): Promise<Map<string, Silence>>;
}

/** Where held alerts are kept (HeldAlertStore). */
export interface HeldAlerts {
  get(fingerprints: readonly string[]): Promise<Map<string, HeldAlert>>;
  put(held: readonly HeldAlert[]): Promise<void>;
  due(now: number, limit?: number): Promise<HeldAlert[]>;
  replace(read: HeldAlert, next: HeldAlert): Promise<boolean>;
  remove(read: HeldAlert): Promise<boolean>;
  recordReleased(records: readonly ReleasedAlert[]): Promise<void>;
}

export interface AlertSuppressionDependencies {
  silences: SilenceLookup;
  held: HeldAlerts;
  /** The catalogue's `alerting.maintenance`. Default none. */
  maintenance?: readonly MaintenanceWindow[];
  /** Which of the fingerprints are part of an open incident: those are never held (see SuppressionContext.raised). */
  raised: (fingerprints: readonly string[]) => Promise<ReadonlySet<string>>;
  logger: Logger;
  /** Our detectors' alerts end when not reported for this long. Default 5 minutes, correlation's default. */
  resolveTimeoutMilliseconds?: number;
}

export interface IntakeResult {
  /** What goes on to correlation now: everything not held, resolves always. */
  kept: Alert[];
  /** What a silence or a maintenance window holds back, and what holds each. */
  held: Array<{ alert: Alert; cause: SuppressionCause }>;
}

/** Held alerts looked at per round of a release; rounds go on until fewer are due. */
const RELEASE_BATCH = 500;
const RELEASE_ROUNDS = 20;

/**
 * Silences and maintenance windows without losing alerts. Every alert, from Alertmanager or our
 * detectors, comes through `intake` before correlation: a firing alert that a silence or an active
 * window covers, and that is not part of an open incident already, is held (stored, not raised),
 * and later deliveries of a held fingerprint keep it current, resolves included. `release`, on a
 * timer, raises the held alerts whose silence or window has ended and that are still firing, then
 * (an incident opens or they join one, whose message says from when to when they were held), and
 * logs those that ended meanwhile. The decisions are the pure functions of suppression.ts.
 */
export class AlertSuppression {
  private readonly maintenance: readonly MaintenanceWindow[];
  private readonly resolveTimeoutMilliseconds: number;

  constructor(private readonly dependencies: AlertSuppressionDependencies) {
    this.maintenance = dependencies.maintenance ?? [];
    this.resolveTimeoutMilliseconds = dependencies.resolveTimeoutMilliseconds ?? 5 * 60_000;
  }

  /** Splits a delivery into what is correlated now and what is held; stores the held ones. */
  async intake(alerts: readonly Alert[], now: number): Promise<IntakeResult> {
    if (alerts.length === 0) return { kept: [], held: [] };
    const { silences: silenceLookup, held: heldAlerts, raised: raisedLookup } = this.dependencies;
    const firing = alerts.filter((alert) => alert.status === 'firing');
    const [silences, previous] = await Promise.all([
      firing.length > 0 ? silenceLookup.activeFor(firing.flatMap(silenceTargetsOf), now) : Promise.resolve(new Map<string, Silence>()),
      heldAlerts.get(alerts.map((alert) => alert.fingerprint)),
    ]);
    const covered = firing.filter((alert) => suppressionOf(alert, { silences, maintenance: this.maintenance, now, raised: false }) !== undefined);
    // Only asked while something is covered: a delivery outside any silence costs no incident read.
    const raised = covered.length > 0 ? await raisedLookup(covered.map((alert) => alert.fingerprint)) : new Set<string>();

    const result: IntakeResult = { kept: [], held: [] };
    const changed = new Map<string, HeldAlert>();
    for (const alert of alerts) {
      const cause = suppressionOf(alert, { silences, maintenance: this.maintenance, now, raised: raised.has(alert.fingerprint) });
      if (cause) result.held.push({ alert, cause });
      else result.kept.push(alert);
      const before = changed.get(alert.fingerprint) ?? previous.get(alert.fingerprint);
      const after = heldAfter(before, alert, cause);
      if (after !== undefined && after !== before) changed.set(alert.fingerprint, after);
    }
    await heldAlerts.put([...changed.values()]);
    if (result.held.length > 0) {
      const latest = result.held.reduce((end, { cause }) => Math.max(end, cause.until), 0);
      this.dependencies.logger.info(
        { held: result.held.map(({ alert, cause }) => `${alert.name} on ${alert.service ?? alert.fingerprint} (${describeCause(cause)})`) },
        `held back ${result.held.length} alert(s) until ${new Date(latest).toISOString()}: raised then if still firing`,
      );
    }
    return result;
  }

  /**
   * Raises, through `ingest`, the held alerts whose silence or window has ended and that still
   * fire; forgets those that ended meanwhile. Call it on a timer with the current time. The record
   * each incident's message shows is written before the alerts are raised, so the first message
   * of an incident they open already says it.
   */
  async release(now: number, ingest: (alerts: Alert[]) => Promise<unknown>): Promise<ReleasedAlert[]> {
    const released: ReleasedAlert[] = [];
    for (let round = 0; round < RELEASE_ROUNDS; round++) {
      const due = await this.dependencies.held.due(now, RELEASE_BATCH);
      released.push(...(await this.releaseRound(due, now, ingest)));
      if (due.length < RELEASE_BATCH) break;
    }
    return released;
  }

  /**
   * Raises now, through `ingest`, the held alerts that silences on `targets` held, once those
   * silences were ended early (`/aiops unsilence`): as `release` does when a silence runs out.
   * An alert another silence or a maintenance window still covers stays held.
   */
  async releaseEndedSilences(targets: readonly string[], now: number, ingest: (alerts: Alert[]) => Promise<unknown>): Promise<ReleasedAlert[]> {
    const ended = new Set(targets);
    const held = await this.dependencies.held.due(Number.MAX_SAFE_INTEGER, RELEASE_BATCH * RELEASE_ROUNDS);
    return this.releaseRound(held.filter((entry) => entry.cause.kind === 'silence' && ended.has(entry.cause.target)), now, ingest);
  }

  private async releaseRound(due: readonly HeldAlert[], now: number, ingest: (alerts: Alert[]) => Promise<unknown>): Promise<ReleasedAlert[]> {
    if (due.length === 0) return [];
    const { held: heldAlerts, logger } = this.dependencies;
    // Looked at as if firing: an alert that resolved while held stays until its silence ends, so a late firing of that episode is still recognised.
    const asFiring = (held: HeldAlert): Alert => ({ ...held.alert, status: 'firing' });
    const silences = await this.dependencies.silences.activeFor(due.flatMap((held) => silenceTargetsOf(asFiring(held))), now);
    const raising: Array<{ held: HeldAlert; alert: Alert; record: ReleasedAlert }> = [];
    const ended: HeldAlert[] = [];
    for (const held of due) {
      const still = suppressionOf(asFiring(held), { silences, maintenance: this.maintenance, now, raised: false });
      if (still) {
        // Extended, or covered by another silence too: held on until that one ends.
        await heldAlerts.replace(held, { ...held, cause: still });
        continue;
      }
      if (releaseOf(held, now, { resolveTimeoutMilliseconds: this.resolveTimeoutMilliseconds }) === 'raise') raising.push({ held, ...releasedAlert(held, now) });
      else ended.push(held);
    }
    await heldAlerts.recordReleased(raising.map(({ record }) => record));
    if (raising.length > 0) await ingest(raising.map(({ alert }) => alert));
    await Promise.all([...raising.map(({ held }) => held), ...ended].map((held) => heldAlerts.remove(held)));
    if (raising.length > 0 || ended.length > 0) {
      logger.info(
        {
          raised: raising.map(({ held }) => `${held.alert.name} on ${held.alert.service ?? held.alert.fingerprint} (${describeCause(held.cause)})`),
          ended: ended.map((held) => `${held.alert.name} on ${held.alert.service ?? held.alert.fingerprint}`),
        },
        `silence or maintenance over: ${raising.length} held alert(s) raised, ${ended.length} ended while held`,
      );
    }
    return raising.map(({ record }) => record);
  }
}

/** "silence on payment by U0SRE until …", "maintenance (Postgres upgrade) until …": for logs. */
function describeCause(cause: SuppressionCause): string {
  const until = new Date(cause.until).toISOString();
  return cause.kind === 'silence' ? `silence on ${cause.target} by ${cause.by} until ${until}` : `maintenance${cause.reason ? ` (${cause.reason})` : ''} until ${until}`;
}
