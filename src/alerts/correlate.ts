import type { Catalogue } from '../catalogue.js';
import { describesLoadOnly, type Signal } from '../sources/signals.js';
import { maximumSeverity, severityRank, signalsOf, type Alert, type AlertSeverity, type AlertSource, type AlertStatus } from './alert.js';
import { DEFAULT_FLAPPING_OPTIONS, isFlapping, type FlappingOptions } from './flapping.js';
import { neighboursOf, originOf } from './origin.js';

/** One alert inside an incident: its latest state, and enough history to judge flapping. */
export interface IncidentAlert {
  fingerprint: string;
  source: AlertSource;
  name: string;
  service?: string;
  /** What a service-less alert groups by: its name and the group labels (see CorrelationOptions). */
  groupKey: string;
  /** The signals our detectors found anomalous; undefined for Alertmanager's alerts (see signalsOf). */
  signals?: Signal[];
  status: AlertStatus;
  severity: AlertSeverity;
  /** Start of the current episode, as the source reports it. */
  startsAt: number;
  /** End of the latest episode; a firing alert keeps none. */
  endsAt?: number;
  /** When a delivery of this alert first and last reached us. */
  firstSeen: number;
  lastSeen: number;
  summary: string;
  /** Times of firing/resolved changes (the first firing included) inside the flapping window, oldest first. */
  transitions: number[];
}

/** An incident as plain data: what the store keeps and Slack renders. */
export interface Incident {
  id: string;
  status: 'open' | 'resolved';
  /** Set once one of its alerts flaps; a flapping incident stays open until the alerts calm down. */
  flapping: boolean;
  /** The catalogued services of its alerts, sorted. */
  services: string[];
  /** The likely origin: the affected service that none of the other affected services sit beneath. */
  origin?: string;
  /** The most urgent severity among its firing alerts (the last one seen when none fires). */
  severity: AlertSeverity;
  /** Its alerts by fingerprint. */
  alerts: Record<string, IncidentAlert>;
  firstSeen: number;
  lastSeen: number;
  resolvedAt?: number;
  /** The Slack user who resolved it by hand (see resolveIncident); cleared when it reopens. */
  resolvedBy?: string;
}

/**
 * A resolve that arrived before any firing of its alert. Remembering its end is what stops the
 * late firing (another Alertmanager replica, a retried delivery) from opening a phantom alert.
 */
export interface Tombstone {
  fingerprint: string;
  endsAt: number;
  receivedAt: number;
}

/** Everything correlation needs to remember between alerts. */
export interface CorrelationState {
  incidents: Incident[];
  tombstones: Tombstone[];
}

export type IncidentChangeKind = 'opened' | 'joined' | 'updated' | 'duplicate' | 'escalated' | 'resolved' | 'flapping' | 'ignored';

/** What one alert (or one settling pass) did, for the caller to decide what to post. */
export interface IncidentChange {
  kind: IncidentChangeKind;
  /** The incident concerned; absent only when an alert was ignored before it belonged anywhere. */
  incidentId?: string;
  fingerprint: string;
  /** One line for logs and the incident's thread. */
  reason: string;
  /** The incident's severity after the change. */
  severity?: AlertSeverity;
  /** The incident's severity before the change, when it changed. */
  previousSeverity?: AlertSeverity;
  /** An 'opened' change that brought a recently resolved incident back rather than starting a new one. */
  reopened?: boolean;
}

export interface CorrelationResult extends CorrelationState {
  change: IncidentChange;
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
    if (!isLoadOnly(current) && incident.resolvedAt !== undefined && alert.startsAt - incident.resolvedAt <= settings.windowMilliseconds) {
      const reopened: Incident = { ...incident, status: 'open', resolvedAt: undefined, resolvedBy: undefined };
      return finish(incidents, tombstones, reopened, next, catalogue, settings, 'opened', `${alert.name} fired again soon after the incident resolved`, incident);
    }
    // Long after its incident closed (or load, which reopens nothing): a new story, correlated afresh.
    return openOrJoin({ incidents, tombstones }, alert, catalogue, settings, options.newIncidentId);
  }

  const endsAt = alert.endsAt ?? alert.receivedAt;
  if (current.status === 'resolved') {
    // A later end is kept: it guards against the late firing of an episode we never saw start.
    const next: IncidentAlert = { ...seenAgain(current, alert), endsAt: Math.max(current.endsAt ?? endsAt, endsAt) };
    return finish(incidents, tombstones, incident, next, catalogue, settings, 'duplicate', `${alert.name} is still resolved`);
  }
  if (endsAt < current.startsAt) {
    return ignore(`${alert.name} resolved at ${iso(endsAt)}, before its current episode began at ${iso(current.startsAt)}`);
  }
  const next = withTransitions({ ...seenAgain(current, alert), status: 'resolved', severity: alert.severity, endsAt }, [endsAt], settings);
  return finish(incidents, tombstones, incident, next, catalogue, settings, 'resolved', `${alert.name} resolved`);
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
  const tombstone = state.tombstones.find((candidate) => candidate.fingerprint === alert.fingerprint);
  if (alert.status === 'resolved') {
    const endsAt = Math.max(alert.endsAt ?? alert.receivedAt, tombstone?.endsAt ?? Number.NEGATIVE_INFINITY);
    const others = state.tombstones.filter((candidate) => candidate.fingerprint !== alert.fingerprint);
    return {
      incidents: state.incidents,
      tombstones: [...others, { fingerprint: alert.fingerprint, endsAt, receivedAt: Math.max(alert.receivedAt, tombstone?.receivedAt ?? alert.receivedAt) }],
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

/** A firing alert that belongs to no open incident: it joins the best related one, or opens its own. */
function openOrJoin(state: CorrelationState, alert: Alert, catalogue: Catalogue, settings: Settings, newIncidentId: () => string): CorrelationResult {
  const fresh: IncidentAlert = {
    fingerprint: alert.fingerprint,
    source: alert.source,
    name: alert.name,
    service: alert.service,
    groupKey: groupKeyOf(alert, settings),
    ...definedSignals(alert),
    status: 'firing',
    severity: alert.severity,
    startsAt: alert.startsAt,
    firstSeen: alert.receivedAt,
    lastSeen: alert.receivedAt,
    summary: alert.summary,
    transitions: [alert.startsAt],
  };
  const target = joinTarget(state.incidents, fresh, catalogue, settings);
  const where = fresh.service ?? fresh.groupKey;
  if (target) return finish(state.incidents, state.tombstones, target, fresh, catalogue, settings, 'joined', `${alert.name} on ${where} joined`);
  if (isLoadOnly(fresh)) {
    // Recorded by the pipeline all the same (status, App Home); it joins the incident that a failure opens.
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

/**
 * Load alone is context, not trouble: an alert saying only that a service is busier than usual
 * (describesLoadOnly) joins an open incident, where it shows how far a surge reached, but neither
 * opens one nor keeps one open. A service still busy after the fix is no incident.
 */
function isLoadOnly(alert: Pick<IncidentAlert, 'signals'>): boolean {
  return alert.signals !== undefined && describesLoadOnly(alert.signals);
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

function joinTarget(incidents: readonly Incident[], alert: IncidentAlert, catalogue: Catalogue, settings: Settings): Incident | undefined {
  const now = alert.lastSeen;
  const neighbours = alert.service === undefined ? new Set<string>() : neighboursOf(alert.service, catalogue);
  let best: { incident: Incident; score: number } | undefined;
  for (const incident of incidents) {
    if (incident.status !== 'open') continue;
    if (now > incident.lastSeen + settings.windowMilliseconds || now < incident.firstSeen - settings.windowMilliseconds) continue;
    let score = 0;
    if (alert.service !== undefined) {
      if (incident.services.includes(alert.service)) score = 2;
      else if (incident.services.some((service) => neighbours.has(service))) score = 1;
    } else if (Object.values(incident.alerts).some((other) => other.service === undefined && other.groupKey === alert.groupKey)) {
      score = 2;
    }
    if (score === 0) continue;
    if (!best || compareCandidates({ incident, score }, best) < 0) best = { incident, score };
  }
  return best?.incident;
}

function compareCandidates(left: { incident: Incident; score: number }, right: { incident: Incident; score: number }): number {
  return (
    right.score - left.score ||
    right.incident.lastSeen - left.incident.lastSeen ||
    left.incident.firstSeen - right.incident.firstSeen ||
    left.incident.id.localeCompare(right.incident.id)
  );
}

/** The incident holding a fingerprint: an open one first, else the most recently active. */
function incidentHolding(incidents: readonly Incident[], fingerprint: string): { incident: Incident; current: IncidentAlert } | undefined {
  const holders = incidents.filter((incident) => fingerprint in incident.alerts);
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
