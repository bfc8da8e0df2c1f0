import type { Alert } from './alert.js';
import type { Incident } from './correlate.js';
import type { MaintenanceWindow } from './noise-policy.js';

/**
 * What a silence and a maintenance window do to an alert, as pure decisions: which alerts they
 * hold back, how a held alert is kept current by later deliveries, and what happens to it when
 * the silence or window ends. Nothing is dropped: a held alert is stored (see AlertSuppression),
 * and raised when its silence ends if it is still firing.
 */

/** A silence: alerts matching its target are held back until it ends. */
export interface Silence {
  /** What it covers (see silenceTargetsOf): a catalogued service, a fingerprint, `group:<Alertmanager group key>`, or an incident or anomaly id. */
  target: string;
  /** Milliseconds since the epoch. */
  until: number;
  /** The Slack user who asked, e.g. U012ABC. */
  by: string;
  createdAt: number;
  /** Why, in the asker's words: shown where the silence is announced, and audited. */
  reason?: string;
}

/** Why an alert is held back, and until when as far as known when it was last delivered. */
export type SuppressionCause =
  | { kind: 'silence'; target: string; by: string; until: number }
  | { kind: 'maintenance'; until: number; reason?: string };

/** An alert held back: its latest state, since when it is held, and what holds it. */
export interface HeldAlert {
  /** The latest delivery, kept current: a later firing or resolve of the same fingerprint updates it. */
  alert: Alert;
  /** When its first held delivery reached us. */
  heldSince: number;
  cause: SuppressionCause;
}

/** A held alert raised when its silence ended: shown on the message of the incident it went to. */
export interface ReleasedAlert {
  fingerprint: string;
  /** One line for people, e.g. the alert's summary. */
  summary: string;
  heldSince: number;
  /** When the silence or window ended (or, if that is not known, when the alert was raised). */
  heldUntil: number;
  /** When it was raised: the receivedAt of the delivery that raised it. */
  releasedAt: number;
  cause: SuppressionCause;
}

export const GROUP_TARGET_PREFIX = 'group:';

/** The silence target naming an Alertmanager group. */
export function groupTarget(groupKey: string): string {
  return `${GROUP_TARGET_PREFIX}${groupKey}`;
}

/**
 * Every silence target that covers the alert: its fingerprint, its catalogued service, its
 * Alertmanager group, and, for our detectors' alerts, the anomaly it stands for.
 */
export function silenceTargetsOf(alert: Alert): string[] {
  return [
    alert.fingerprint,
    ...(alert.service === undefined ? [] : [alert.service]),
    ...(alert.group === undefined ? [] : [groupTarget(alert.group.key)]),
    ...(alert.source === 'detector' && alert.annotations.anomalyId ? [alert.annotations.anomalyId] : []),
  ];
}

/**
 * What silencing an incident silences: its catalogued services, and each alert that names no
 * catalogued service by its fingerprint and its Alertmanager group, so that silencing an
 * incident of node or probe alerts holds back their next firing and the rest of their group.
 * The incident's id is kept as a target too, for the audit and `/aiops silence <incident>`.
 */
export function silenceTargetsForIncident(incident: Incident): string[] {
  const targets = new Set<string>([incident.id, ...incident.services]);
  for (const alert of Object.values(incident.alerts)) {
    if (alert.service !== undefined) continue;
    targets.add(alert.fingerprint);
    if (alert.group !== undefined) targets.add(groupTarget(alert.group));
  }
  return [...targets];
}

export interface SuppressionContext {
  /** The active silences among the alert's targets, by target. */
  silences: ReadonlyMap<string, Silence>;
  maintenance: readonly MaintenanceWindow[];
  now: number;
  /**
   * Whether the alert is part of an open incident already. Such an alert is never held: its
   * deliveries keep that incident current (a silence must not resolve an incident for want of
   * reports, nor hide its end); a silence holds back what is not raised yet.
   */
  raised: boolean;
}

/**
 * Whether the alert is held back now, and by what: the covering silence or maintenance window
 * that ends last (when it is released). A resolve is never held: it ends something that may have
 * begun before the silence, and holding it back would keep an incident open for nothing.
 */
export function suppressionOf(alert: Alert, context: SuppressionContext): SuppressionCause | undefined {
  if (alert.status !== 'firing' || context.raised) return undefined;
  const causes: SuppressionCause[] = [];
  for (const target of silenceTargetsOf(alert)) {
    const silence = context.silences.get(target);
    if (silence && silence.until > context.now) causes.push({ kind: 'silence', target, by: silence.by, until: silence.until });
  }
  for (const window of context.maintenance) {
    if (window.start > context.now || context.now >= window.end) continue;
    if (window.services === 'all' || (alert.service !== undefined && window.services.includes(alert.service))) {
      causes.push({ kind: 'maintenance', until: window.end, ...(window.reason === undefined ? {} : { reason: window.reason }) });
    }
  }
  return causes.reduce<SuppressionCause | undefined>((latest, cause) => (latest === undefined || cause.until > latest.until ? cause : latest), undefined);
}

/**
 * The held alert after a delivery of its fingerprint. A held firing alert follows its later
 * deliveries: a resolve ends it, a firing of a new episode starts it again; a firing of an episode
 * that already ended, or a resolve of an episode before the held one, is late and changes nothing.
 * `cause` is what holds this delivery back now (undefined for a resolve, or once nothing does):
 * the latest known cause is kept, so the release knows when the silence ended.
 * Undefined: nothing is held (a resolve for an alert that was never held).
 */
export function heldAfter(previous: HeldAlert | undefined, alert: Alert, cause: SuppressionCause | undefined): HeldAlert | undefined {
  if (previous === undefined) return cause === undefined ? undefined : { alert, heldSince: alert.receivedAt, cause };
  const held = previous.alert;
  const latestCause = cause ?? previous.cause;
  const heldSince = Math.min(previous.heldSince, alert.receivedAt);
  if (alert.status === 'firing') {
    if (held.status === 'resolved' && held.endsAt !== undefined && alert.startsAt <= held.endsAt) return { ...previous, heldSince };
    const startsAt = held.status === 'firing' ? Math.min(held.startsAt, alert.startsAt) : alert.startsAt;
    return { alert: { ...alert, startsAt }, heldSince, cause: latestCause };
  }
  const endsAt = alert.endsAt ?? alert.receivedAt;
  if (held.status === 'firing' && endsAt < held.startsAt) return { ...previous, heldSince };
  return { alert: { ...alert, startsAt: held.startsAt, endsAt }, heldSince, cause: latestCause };
}

export interface ReleaseOptions {
  /** Our detectors' alerts end when not reported for this long (correlation's resolve timeout). */
  resolveTimeoutMilliseconds: number;
}

/**
 * What becomes of a held alert once nothing holds it any more: raised if it is still firing (our
 * detectors' alerts only if reported within the resolve timeout, as they never send a resolve
 * while held), else it ended during the silence and is only logged.
 */
export function releaseOf(held: HeldAlert, now: number, options: ReleaseOptions): 'raise' | 'ended' {
  const { alert } = held;
  if (alert.status !== 'firing') return 'ended';
  if (alert.source === 'detector' && alert.receivedAt + options.resolveTimeoutMilliseconds < now) return 'ended';
  return 'raise';
}

/** The delivery that raises a released alert now, and the record its incident's message shows. */
export function releasedAlert(held: HeldAlert, now: number): { alert: Alert; record: ReleasedAlert } {
  const heldUntil = held.cause.until <= now ? held.cause.until : now;
  return {
    alert: { ...held.alert, receivedAt: now },
    record: { fingerprint: held.alert.fingerprint, summary: held.alert.summary, heldSince: held.heldSince, heldUntil, releasedAt: now, cause: held.cause },
  };
}

/**
 * The released records that belong to an incident: those of its alerts whose release delivery
 * reached it (seen before and after the release), so a record does not follow the fingerprint
 * into a later, unrelated incident.
 */
export function releasedInto(incident: Incident, records: readonly ReleasedAlert[]): ReleasedAlert[] {
  return records.filter((record) => {
    const alert = incident.alerts[record.fingerprint];
    return alert !== undefined && alert.firstSeen <= record.releasedAt && record.releasedAt <= alert.lastSeen;
  });
}

/** The fingerprints among `fingerprints` that an open incident holds (see SuppressionContext.raised). */
export function fingerprintsRaisedIn(incidents: readonly Incident[], fingerprints: readonly string[]): Set<string> {
  const open = incidents.filter((incident) => incident.status === 'open');
  return new Set(fingerprints.filter((fingerprint) => open.some((incident) => fingerprint in incident.alerts)));
}

/** What silencing the incident covers, for people: "payment, database", "2 alerts naming no catalogued service (and their Alertmanager groups)". */
export function describeSilenceScope(incident: Incident): string {
  const uncatalogued = Object.values(incident.alerts).filter((alert) => alert.service === undefined);
  const grouped = uncatalogued.some((alert) => alert.group !== undefined);
  const parts = [
    ...(incident.services.length > 0 ? [incident.services.join(', ')] : []),
    ...(uncatalogued.length > 0 ? [`${uncatalogued.length} alert${uncatalogued.length === 1 ? '' : 's'} naming no catalogued service${grouped ? ' (and their Alertmanager groups)' : ''}`] : []),
  ];
  return parts.join(' and ') || incident.id;
}
