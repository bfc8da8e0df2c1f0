import type { Catalogue } from '../catalogue.js';
import type { Signal } from '../signals.js';
import { maximumSeverity, severityRank } from '../severity.js';
import { signalsOf, type Alert } from './alert.js';
import { describeLabels } from './describe-labels.js';
import { DEFAULT_FLAPPING_OPTIONS, isFlapping, type FlappingOptions } from './flapping.js';
import { correlationLabelsOf, isJoinable, isLoadOnly, possibleRelation, relationTo, type Relation } from './incident-relations.js';
import { mergeIncidents } from './merge-incidents.js';
import type { CorrelationState, Incident, IncidentAlert, IncidentChange, IncidentChangeKind, Tombstone } from './incident.js';
import { originOf } from './origin.js';
import { recordAlertGroup } from './record-alert-group.js';

// The incident as data lives in incident.ts; what imports correlation finds it here too.
export type { CorrelationState, Incident, IncidentAlert, IncidentChange, IncidentChangeKind, IncidentGroup, Tombstone } from './incident.js';

export interface CorrelationResult extends CorrelationState {
  /** What the alert did. */
  change: IncidentChange;
  /**
   * When the alert bridged open incidents: a 'merged' change for each one closed and an
   * 'absorbed' change of the survivor for each, told before `change` (the alert joining it).
   */
  merges?: IncidentChange[];
}

export interface SettleResult extends CorrelationState {
  changes: IncidentChange[];
}

export interface CorrelationOptions {
  /** Alerts join an open incident active within this; a resolved one reopens within it. Default 15 minutes. */
  windowMilliseconds?: number;
  /** Called only when an incident opens. */
  newIncidentId: () => string;
  /**
   * Detectors never send a resolve: their alert ends when it has not been reported for this long
   * (Alertmanager's resolve_timeout idea). Default 5 minutes. Alertmanager's alerts end only by
   * its own resolve, since it redelivers firing alerts only every repeat_interval.
   */
  resolveTimeoutMilliseconds?: number;
  /** How long a resolve for an unknown fingerprint is remembered. Default 1 hour. */
  tombstoneMilliseconds?: number;
  flapping?: FlappingOptions;
  /** Labels that, with the alert name, group alerts naming no service. Default cluster and namespace. */
  serviceLessGroupLabels?: string[];
}

/** What settling needs: everything but the id generator, since settling never opens an incident. */
export type SettleOptions = Omit<CorrelationOptions, 'newIncidentId'>;

type Settings = Required<Omit<SettleOptions, 'flapping'>> & { flapping: Required<FlappingOptions> };

function settingsOf(options: SettleOptions): Settings {
  return {
    windowMilliseconds: options.windowMilliseconds ?? 15 * 60_000,
    resolveTimeoutMilliseconds: options.resolveTimeoutMilliseconds ?? 5 * 60_000,
    tombstoneMilliseconds: options.tombstoneMilliseconds ?? 60 * 60_000,
    flapping: {
      windowMilliseconds: options.flapping?.windowMilliseconds ?? DEFAULT_FLAPPING_OPTIONS.windowMilliseconds,
      minimumTransitions: options.flapping?.minimumTransitions ?? DEFAULT_FLAPPING_OPTIONS.minimumTransitions,
    },
    serviceLessGroupLabels: options.serviceLessGroupLabels ?? ['cluster', 'namespace'],
  };
}

/**
 * Applies one alert to the incidents. Pure and deterministic: the same state and alert give the
 * same result, whatever the clock, and nothing passed in is modified. Times come from the alert:
 * its receivedAt for activity windows, its startsAt and endsAt for episodes and flapping.
 */
export function applyAlert(state: CorrelationState, alert: Alert, catalogue: Catalogue, options: CorrelationOptions): CorrelationResult {
  return recordAlertGroup(applyToIncidents(state, alert, catalogue, options), alert);
}

function applyToIncidents(state: CorrelationState, alert: Alert, catalogue: Catalogue, options: CorrelationOptions): CorrelationResult {
  const settings = settingsOf(options);
  const tombstones = state.tombstones.filter((tombstone) => tombstone.receivedAt >= alert.receivedAt - settings.tombstoneMilliseconds);
  const holder = incidentHolding(state.incidents, alert.fingerprint);
  if (!holder) return applyUnknown({ incidents: state.incidents, tombstones }, alert, catalogue, settings, options.newIncidentId);
  const { incident, current } = holder;
  const incidents = state.incidents;
  const ignore = (reason: string): CorrelationResult => ({
    incidents,
    tombstones,
    change: { kind: 'ignored', incidentId: incident.id, fingerprint: alert.fingerprint, reason },
  });

  if (current.source !== alert.source) {
    // Only the source that raised an alert may refresh or end it: a webhook delivery naming a
    // detector's fingerprint must not close the incident our detectors opened, nor keep it alive.
    return ignore(`${alert.name} from ${alert.source} names an alert that ${current.source} raised, which only ${current.source} may change or end`);
  }
  if (alert.status === 'firing') {
    if (current.status === 'firing') {
      const expiredAt = current.lastSeen + settings.resolveTimeoutMilliseconds;
      if (current.source === 'detector' && alert.receivedAt > expiredAt) {
        // Nothing settled it in time: it ended unseen, and this is a new episode.
        const next = withTransitions({ ...firingState(current, alert), startsAt: alert.startsAt }, [expiredAt, alert.startsAt], settings);
        return finish(incidents, tombstones, incident, next, catalogue, settings, 'updated', `${alert.name} fired again after ending unseen`);
      }
      const next: IncidentAlert = { ...firingState(current, alert), startsAt: Math.min(current.startsAt, alert.startsAt) };
      const kind = next.severity === current.severity ? 'duplicate' : 'updated';
      return finish(incidents, tombstones, incident, next, catalogue, settings, kind, `${alert.name} is still firing`);
    }
    if (current.endsAt !== undefined && alert.startsAt <= current.endsAt) {
      return ignore(`${alert.name} firing since ${iso(alert.startsAt)} belongs to an episode that ended at ${iso(current.endsAt)}`);
    }
    const next = withTransitions({ ...firingState(current, alert), startsAt: alert.startsAt, endsAt: undefined }, [alert.startsAt], settings);
    if (incident.status === 'open') {
      return finish(incidents, tombstones, incident, next, catalogue, settings, 'updated', `${alert.name} fired again`);
    }
    // Load alone reopens nothing (see isLoadOnly); it may still join another open incident below.
    // Nor does an alert that an open incident now takes (its group's, say): one story, one incident.
    const reopens = !isLoadOnly(current) && incident.resolvedAt !== undefined && alert.startsAt - incident.resolvedAt <= settings.windowMilliseconds;
    if (reopens && relatedOpenIncidents(incidents, freshAlert(alert, catalogue, settings), catalogue, settings).length === 0) {
      const reopened: Incident = { ...incident, status: 'open', resolvedAt: undefined, resolvedBy: undefined };
      return finish(incidents, tombstones, reopened, next, catalogue, settings, 'opened', `${alert.name} fired again soon after the incident resolved`, incident);
    }
    // Long after its incident closed (or load, which reopens nothing): a new story, correlated afresh.
    return openOrJoin({ incidents, tombstones }, alert, catalogue, settings, options.newIncidentId);
  }

  const endsAt = alert.endsAt ?? alert.receivedAt;
  const { incident: groupEnded, ended } = withGroupEnded(incident, alert, endsAt, settings);
  const groupReason = ended > 0 ? `; its Alertmanager group resolved, ending ${ended} more alert${ended === 1 ? '' : 's'} whose resolve was left out` : '';
  if (current.status === 'resolved') {
    // A later end is kept: it guards against the late firing of an episode we never saw start.
    const next: IncidentAlert = { ...seenAgain(current, alert), endsAt: Math.max(current.endsAt ?? endsAt, endsAt) };
    return finish(incidents, tombstones, groupEnded, next, catalogue, settings, ended > 0 ? 'resolved' : 'duplicate', `${alert.name} is still resolved${groupReason}`, incident);
  }
  if (endsAt < current.startsAt) {
    return ignore(`${alert.name} resolved at ${iso(endsAt)}, before its current episode began at ${iso(current.startsAt)}`);
  }
  const next = withTransitions({ ...seenAgain(current, alert), status: 'resolved', severity: alert.severity, endsAt }, [endsAt], settings);
  return finish(incidents, tombstones, groupEnded, next, catalogue, settings, 'resolved', `${alert.name} resolved${groupReason}`, incident);
}

/**
 * Alertmanager resolves alerts it left out of a notification (`max_alerts`) without ever sending
 * their resolve, and forgets them. A notification that resolved its whole group lists every alert
 * the group still has: an alert of the group firing here but missing from it has ended too, at
 * the latest when this alert did. So the group's incident does not stay open on alerts long over.
 */
function withGroupEnded(incident: Incident, alert: Alert, endsAt: number, settings: Settings): { incident: Incident; ended: number } {
  const group = alert.group;
  const members = group?.resolvedMembers;
  if (!group || !members) return { incident, ended: 0 };
  const siblings = Object.values(incident.alerts).filter((other) => other.group === group.key && other.status === 'firing' && other.source !== 'detector' && !members.includes(other.fingerprint));
  if (siblings.length === 0) return { incident, ended: 0 };
  const alerts = { ...incident.alerts };
  for (const sibling of siblings) {
    const siblingEnd = Math.max(endsAt, sibling.startsAt);
    alerts[sibling.fingerprint] = withTransitions({ ...sibling, status: 'resolved', endsAt: siblingEnd }, [siblingEnd], settings);
  }
  return { incident: { ...incident, alerts }, ended: siblings.length };
}

/**
 * Ends what time alone ends: detector alerts not reported within the resolve timeout, and
 * flapping incidents whose alerts are all resolved and have not changed for a whole flapping
 * window. Waiting for that calm, rather than for isFlapping to turn false, is the hysteresis
 * that keeps a slow bounce from resolving and reopening the incident at the threshold.
 * Call it on a timer with the current time; it is as pure as applyAlert.
 */
export function settleIncidents(state: CorrelationState, now: number, options: SettleOptions = {}): SettleResult {
  const settings = settingsOf(options);
  const tombstones = state.tombstones.filter((tombstone) => tombstone.receivedAt >= now - settings.tombstoneMilliseconds);
  const changes: IncidentChange[] = [];
  const incidents = state.incidents.map((incident) => {
    if (incident.status !== 'open') return incident;
    const expired = Object.values(incident.alerts).filter(
      (alert) => alert.status === 'firing' && alert.source === 'detector' && alert.lastSeen + settings.resolveTimeoutMilliseconds < now,
    );
    const alerts = { ...incident.alerts };
    for (const alert of expired) {
      const endsAt = alert.lastSeen + settings.resolveTimeoutMilliseconds;
      alerts[alert.fingerprint] = withTransitions({ ...alert, status: 'resolved', endsAt }, [endsAt], settings);
    }
    const updated = refresh({ ...incident, alerts }, undefined);
    const fingerprint = expired[0]?.fingerprint ?? Object.keys(alerts).sort()[0] ?? '';
    if (Object.values(alerts).some(holdsOpen)) {
      if (expired.length > 0) changes.push(changeOf('updated', incident, updated, fingerprint, `${expired.map((alert) => alert.name).join(', ')} no longer reported`));
      return updated;
    }
    if (incident.flapping && now - latestTransition(alerts) < settings.flapping.windowMilliseconds) {
      if (expired.length > 0) changes.push(changeOf('updated', incident, updated, fingerprint, 'alerts quiet, still flapping'));
      return updated;
    }
    const resolved = resolve(updated, settings);
    const reason = incident.flapping ? 'flapping has calmed down' : Object.values(alerts).some((alert) => alert.status === 'firing') ? 'only load is still reported' : 'no alert reported any more';
    changes.push(changeOf('resolved', incident, resolved, fingerprint, reason));
    return resolved;
  });
  return { incidents, tombstones, changes };
}

function applyUnknown(state: CorrelationState, alert: Alert, catalogue: Catalogue, settings: Settings, newIncidentId: () => string): CorrelationResult {
  // A resolve remembered for one source never holds back another source's alert (see tombstoneMatches).
  const tombstone = state.tombstones.find((candidate) => tombstoneMatches(candidate, alert));
  if (alert.status === 'resolved') {
    const endsAt = Math.max(alert.endsAt ?? alert.receivedAt, tombstone?.endsAt ?? Number.NEGATIVE_INFINITY);
    const others = state.tombstones.filter((candidate) => candidate !== tombstone);
    return {
      incidents: state.incidents,
      tombstones: [...others, { fingerprint: alert.fingerprint, source: alert.source, endsAt, receivedAt: Math.max(alert.receivedAt, tombstone?.receivedAt ?? alert.receivedAt) }],
      change: { kind: 'ignored', fingerprint: alert.fingerprint, reason: `${alert.name} resolved before it was seen firing; remembered until a later episode` },
    };
  }
  if (tombstone && alert.startsAt <= tombstone.endsAt) {
    return {
      ...state,
      change: { kind: 'ignored', fingerprint: alert.fingerprint, reason: `${alert.name} firing since ${iso(alert.startsAt)} had already resolved at ${iso(tombstone.endsAt)}` },
    };
  }
  const tombstones = tombstone ? state.tombstones.filter((candidate) => candidate !== tombstone) : state.tombstones;
  return openOrJoin({ incidents: state.incidents, tombstones }, alert, catalogue, settings, newIncidentId);
}

/** A tombstone stored before tombstones named their source (at most an hour old) matches any source. */
function tombstoneMatches(tombstone: Tombstone, alert: Alert): boolean {
  return tombstone.fingerprint === alert.fingerprint && (tombstone.source ?? alert.source) === alert.source;
}

/**
 * A firing alert that belongs to no open incident: it joins the related open incident, or opens
 * its own. When it is related to several, it bridges them: they merge into the oldest, so the
 * incidents a set of alerts makes never depend on the order they arrived in. Load alone bridges
 * nothing: it joins the closest (see isLoadOnly).
 */
function openOrJoin(state: CorrelationState, alert: Alert, catalogue: Catalogue, settings: Settings, newIncidentId: () => string): CorrelationResult {
  const fresh = freshAlert(alert, catalogue, settings);
  const related = relatedOpenIncidents(state.incidents, fresh, catalogue, settings);
  const groupName = alert.group ? describeLabels(alert.group.labels) || 'its Alertmanager group' : undefined;
  const where = fresh.service ?? groupName ?? fresh.groupKey;
  if (related.length === 1 || (related.length > 1 && isLoadOnly(fresh))) {
    const closest = [...related].sort((left, right) => right.relation.strength - left.relation.strength)[0]!;
    return finish(state.incidents, state.tombstones, closest.incident, fresh, catalogue, settings, 'joined', `${alert.name} on ${where} joined: ${closest.relation.reason}`);
  }
  if (related.length > 1) return bridge(state, related, fresh, `${alert.name} on ${where}`, catalogue, settings);
  if (isLoadOnly(fresh)) {
    // Recorded in the anomaly log all the same (status, App Home); it joins the incident that a failure opens.
    return { ...state, change: { kind: 'ignored', fingerprint: alert.fingerprint, reason: `${alert.name} on ${where} is load alone, which opens no incident` } };
  }
  const opened: Incident = {
    id: newIncidentId(),
    status: 'open',
    flapping: false,
    services: [],
    severity: alert.severity,
    alerts: {},
    firstSeen: alert.receivedAt,
    lastSeen: alert.receivedAt,
  };
  return finish([...state.incidents, opened], state.tombstones, opened, fresh, catalogue, settings, 'opened', `${alert.name} opened the incident`);
}

/** An open incident related to a new alert, and how. */
interface RelatedIncident {
  incident: Incident;
  relation: Relation;
}

/** The open incidents that take `alert` (see relationTo and isJoinable), oldest first. */
function relatedOpenIncidents(incidents: readonly Incident[], alert: IncidentAlert, catalogue: Catalogue, settings: Settings): RelatedIncident[] {
  const related: RelatedIncident[] = [];
  const possible = possibleRelation(alert, catalogue);
  for (const incident of incidents) {
    if (incident.status !== 'open' || (possible !== undefined && !possible(incident))) continue;
    const relation = relationTo(alert, incident, catalogue);
    if (relation && isJoinable(incident, relation, alert.lastSeen, settings)) related.push({ incident, relation });
  }
  // Stable: incidents come in opening order, which breaks ties of firstSeen alike everywhere.
  return related.sort((left, right) => left.incident.firstSeen - right.incident.firstSeen);
}

/**
 * `alert` bridges open incidents: the oldest survives and takes the others in, each closed with a
 * 'merged' change pointing at it and an 'absorbed' change for the survivor, both saying why.
 */
function bridge(state: CorrelationState, related: readonly RelatedIncident[], alert: IncidentAlert, what: string, catalogue: Catalogue, settings: Settings): CorrelationResult {
  const [oldest, ...others] = related;
  const { survivor, closed } = mergeIncidents(oldest!.incident, others.map((other) => other.incident), alert.lastSeen);
  const byId = new Map<string, Incident>([[survivor.id, survivor], ...closed.map((incident): [string, Incident] => [incident.id, incident])]);
  const incidents = state.incidents.map((incident) => byId.get(incident.id) ?? incident);
  const joined = finish(incidents, state.tombstones, survivor, alert, catalogue, settings, 'joined', `${what} joined, merging ${others.map((other) => other.incident.id).join(', ')} into ${oldest!.incident.id}`, oldest!.incident);
  const merged = joined.incidents.find((incident) => incident.id === survivor.id)!;
  const merges = others.flatMap(({ incident, relation }): IncidentChange[] => {
    const reason = `${what} bridged them: ${oldest!.relation.reason} (${oldest!.incident.id}), ${relation.reason} (${incident.id})`;
    return [
      { ...changeOf('merged', incident, byId.get(incident.id)!, alert.fingerprint, reason), mergedInto: merged.id },
      { ...changeOf('absorbed', oldest!.incident, merged, alert.fingerprint, reason), mergedFrom: incident.id },
    ];
  });
  return { ...joined, merges };
}

/** The alert as an incident holds it when it first joins one. */
function freshAlert(alert: Alert, catalogue: Catalogue, settings: Settings): IncidentAlert {
  const correlationLabels = correlationLabelsOf(alert, catalogue);
  return {
    fingerprint: alert.fingerprint,
    source: alert.source,
    name: alert.name,
    service: alert.service,
    groupKey: groupKeyOf(alert, settings),
    ...(alert.group ? { group: alert.group.key } : {}),
    ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
    ...(alert.runbookURL ? { runbookURL: alert.runbookURL } : {}),
    ...(correlationLabels ? { correlationLabels } : {}),
    ...definedSignals(alert),
    status: 'firing',
    severity: alert.severity,
    startsAt: alert.startsAt,
    firstSeen: alert.receivedAt,
    lastSeen: alert.receivedAt,
    summary: alert.summary,
    transitions: [alert.startsAt],
  };
}

/**
 * Puts `next` into `incident`, recomputes what derives from the alerts, settles whether the
 * incident stays open, and names the change. `before` is the incident as the caller last saw
 * it, when `incident` was already adjusted (a reopening).
 */
function finish(
  incidents: Incident[],
  tombstones: Tombstone[],
  incident: Incident,
  next: IncidentAlert,
  catalogue: Catalogue,
  settings: Settings,
  proposed: IncidentChangeKind,
  reason: string,
  before: Incident = incident,
): CorrelationResult {
  const alerts = { ...incident.alerts, [next.fingerprint]: next };
  let updated = refresh({ ...incident, alerts }, catalogue);
  const eventTime = next.status === 'firing' ? next.startsAt : (next.endsAt ?? next.lastSeen);
  const flappingNow = isFlapping(next.transitions, eventTime, settings.flapping);
  const becameFlapping = flappingNow && !before.flapping;
  if (becameFlapping) updated = { ...updated, flapping: true };

  let kind = proposed;
  if (proposed === 'resolved') {
    if (Object.values(alerts).some(holdsOpen) || updated.flapping) {
      // A flapping incident stays open instead of resolving and reopening with every bounce;
      // settleIncidents ends it once its alerts have been calm for the flapping window.
      kind = 'updated';
    } else {
      updated = resolve(updated, settings);
    }
  }
  if (becameFlapping) kind = 'flapping';
  else if ((kind === 'joined' || kind === 'updated' || kind === 'duplicate') && severityRank(updated.severity) > severityRank(before.severity)) {
    kind = 'escalated';
  }

  const replaced = incidents.map((candidate) => (candidate.id === incident.id ? updated : candidate));
  const change = changeOf(kind, before, updated, next.fingerprint, becameFlapping ? `${reason}; flapping` : reason);
  if (kind === 'opened' && before.id === incident.id && before.status === 'resolved') change.reopened = true;
  return { incidents: replaced, tombstones, change };
}

function holdsOpen(alert: IncidentAlert): boolean {
  return alert.status === 'firing' && !isLoadOnly(alert);
}

/**
 * The incident resolved when the last alert that could hold it open ended. Load alerts still
 * firing end with it: they were part of its story, and their further reports (the same episode)
 * are then ignored instead of reopening it.
 */
function resolve(incident: Incident, settings: Settings): Incident {
  const holding = Object.values(incident.alerts).filter((alert) => !isLoadOnly(alert));
  const resolvedAt = latestEnd(holding.length > 0 ? holding : Object.values(incident.alerts));
  const alerts = { ...incident.alerts };
  for (const alert of Object.values(alerts)) {
    if (alert.status !== 'firing') continue;
    const endsAt = Math.max(resolvedAt, alert.startsAt);
    alerts[alert.fingerprint] = withTransitions({ ...alert, status: 'resolved', endsAt }, [endsAt], settings);
  }
  return { ...incident, alerts, status: 'resolved', resolvedAt };
}

function definedSignals(alert: Alert): { signals?: Signal[] } {
  const signals = signalsOf(alert);
  return signals === undefined ? {} : { signals };
}

function changeOf(kind: IncidentChangeKind, before: Incident, after: Incident, fingerprint: string, reason: string): IncidentChange {
  const change: IncidentChange = { kind, incidentId: after.id, fingerprint, reason, severity: after.severity };
  // A brand-new incident had no severity before; only a real change is worth reporting.
  if (Object.keys(before.alerts).length > 0 && before.severity !== after.severity) change.previousSeverity = before.severity;
  return change;
}

/** Recomputes services, origin, severity and activity times from the alerts. */
function refresh(incident: Incident, catalogue: Catalogue | undefined): Incident {
  const alerts = Object.values(incident.alerts);
  const services = [...new Set(alerts.flatMap((alert) => (alert.service === undefined ? [] : [alert.service])))].sort();
  const firing = alerts.filter((alert) => alert.status === 'firing');
  const severity = firing.length > 0 ? firing.map((alert) => alert.severity).reduce(maximumSeverity) : incident.severity;
  return {
    ...incident,
    services,
    origin: catalogue ? originOf(alerts, catalogue) : incident.origin,
    severity,
    firstSeen: Math.min(...alerts.map((alert) => alert.firstSeen)),
    lastSeen: Math.max(...alerts.map((alert) => alert.lastSeen)),
  };
}

/** The incident holding a fingerprint: an open one first, else the most recently active. */
function incidentHolding(incidents: readonly Incident[], fingerprint: string): { incident: Incident; current: IncidentAlert } | undefined {
  // Own keys only: a fingerprint such as `constructor` names nothing an incident inherits.
  const holders = incidents.filter((incident) => Object.hasOwn(incident.alerts, fingerprint));
  holders.sort((left, right) => Number(right.status === 'open') - Number(left.status === 'open') || right.lastSeen - left.lastSeen);
  const incident = holders[0];
  const current = incident?.alerts[fingerprint];
  return incident && current ? { incident, current } : undefined;
}

function groupKeyOf(alert: Alert, settings: Settings): string {
  return [alert.name, ...settings.serviceLessGroupLabels.map((label) => `${label}=${alert.labels[label] ?? ''}`)].join('|');
}

function seenAgain(current: IncidentAlert, alert: Alert): IncidentAlert {
  return {
    ...current,
    ...(alert.group ? { group: alert.group.key } : {}),
    ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
    ...(alert.runbookURL ? { runbookURL: alert.runbookURL } : {}),
    firstSeen: Math.min(current.firstSeen, alert.receivedAt),
    lastSeen: Math.max(current.lastSeen, alert.receivedAt),
    summary: alert.summary,
  };
}

function firingState(current: IncidentAlert, alert: Alert): IncidentAlert {
  return { ...seenAgain(current, alert), status: 'firing', severity: alert.severity };
}

/** Adds transitions, keeping only those the flapping window can still count. */
function withTransitions(alert: IncidentAlert, added: number[], settings: Settings): IncidentAlert {
  const transitions = [...alert.transitions, ...added].sort((left, right) => left - right);
  const latest = transitions[transitions.length - 1] ?? 0;
  return { ...alert, transitions: transitions.filter((time) => time > latest - settings.flapping.windowMilliseconds) };
}

function latestTransition(alerts: Record<string, IncidentAlert>): number {
  return Math.max(...Object.values(alerts).flatMap((alert) => alert.transitions));
}

function latestEnd(alerts: readonly IncidentAlert[]): number {
  return Math.max(...alerts.map((alert) => alert.endsAt ?? alert.lastSeen));
}

function iso(milliseconds: number): string {
  return Number.isFinite(milliseconds) ? new Date(milliseconds).toISOString() : String(milliseconds);
}

/** What resolving by hand did: the new state, and the change to announce (none when nothing changed). */
export interface ResolveResult extends CorrelationState {
  change?: IncidentChange;
}

/**
 * Resolves an open incident by hand: a person says it is over, whatever its alerts say. Every
 * firing alert ends at `at`, so a redelivery of the same episode (Alertmanager repeating a firing
 * alert, a detector still reporting the same anomaly) is ignored like any late firing, while a new
 * episode reopens the incident within the correlation window, as after any resolution. Pure like
 * applyAlert. An unknown or already resolved incident gives no change: a double click is harmless.
 */
export function resolveIncident(state: CorrelationState, id: string, resolution: { by: string; at: number }, options: SettleOptions = {}): ResolveResult {
  const settings = settingsOf(options);
  const incident = state.incidents.find((candidate) => candidate.id === id);
  if (!incident || incident.status !== 'open') return { incidents: state.incidents, tombstones: state.tombstones };
  const alerts = { ...incident.alerts };
  const ended = Object.values(alerts)
    .filter((alert) => alert.status === 'firing')
    .sort((left, right) => left.fingerprint.localeCompare(right.fingerprint));
  for (const alert of ended) {
    // An episode cannot end before it began, even when the clicker's clock lags the source's.
    const endsAt = Math.max(resolution.at, alert.startsAt);
    alerts[alert.fingerprint] = withTransitions({ ...alert, status: 'resolved', endsAt }, [endsAt], settings);
  }
  const resolved: Incident = { ...refresh({ ...incident, alerts }, undefined), status: 'resolved', resolvedAt: resolution.at, resolvedBy: resolution.by };
  const fingerprint = ended[0]?.fingerprint ?? Object.keys(alerts).sort()[0] ?? '';
  const change = changeOf('resolved', incident, resolved, fingerprint, `resolved by hand by ${resolution.by}`);
  return { incidents: state.incidents.map((candidate) => (candidate.id === id ? resolved : candidate)), tombstones: state.tombstones, change };
}
