import type { Catalogue } from '../catalogue.js';
import { describesLoadOnly } from '../signals.js';
import type { Alert } from './alert.js';
import type { Incident, IncidentAlert } from './incident.js';
import { describeLabels } from './describe-labels.js';

/**
 * Why a new alert belongs with an open incident. Only these reasons put alerts of two Alertmanager
 * groups together: the same catalogued service, an edge of the call graph, or a correlation rule
 * of the catalogue. Alerts of one group always stay together.
 */
export interface Relation {
  /** How close: 4 the same Alertmanager group, 3 the same service, 2 a correlation rule, 1 a call-graph edge. */
  strength: number;
  /** One line for the thread, e.g. `order-service calls database`. */
  reason: string;
  /** The same Alertmanager group: it keeps the incident joinable for as long as the incident is open. */
  sameGroup: boolean;
}

/** What joinability reads from the correlation settings. */
export interface JoinWindow {
  windowMilliseconds: number;
  resolveTimeoutMilliseconds: number;
}

/** The strongest reason `alert` belongs with `incident`, or undefined when there is none. */
export function relationTo(alert: IncidentAlert, incident: Incident, catalogue: Catalogue): Relation | undefined {
  const members = Object.values(incident.alerts);
  if (alert.group !== undefined && (incident.groups?.[alert.group] !== undefined || members.some((member) => member.group === alert.group))) {
    const labels = incident.groups?.[alert.group]?.labels;
    return { strength: 4, sameGroup: true, reason: labels && Object.keys(labels).length > 0 ? `same Alertmanager group (${describeLabels(labels)})` : 'same Alertmanager group' };
  }
  if (alert.service !== undefined && incident.services.includes(alert.service)) {
    return { strength: 3, sameGroup: false, reason: `both on ${alert.service}` };
  }
  // Alerts that came in no Alertmanager group (older callers, tests) and name no service group by name and labels, as before groups were known.
  if (alert.service === undefined && alert.group === undefined) {
    if (members.some((member) => member.service === undefined && member.group === undefined && member.groupKey === alert.groupKey)) {
      return { strength: 3, sameGroup: false, reason: `same alert and labels (${alert.groupKey})` };
    }
  }
  const rule = ruleRelation(alert, members, catalogue);
  if (rule) return rule;
  if (alert.service !== undefined) {
    const calls = catalogue.services[alert.service]?.dependencies ?? [];
    for (const service of incident.services) {
      if (calls.includes(service)) return { strength: 1, sameGroup: false, reason: `${alert.service} calls ${service}` };
      if (catalogue.services[service]?.dependencies.includes(alert.service)) return { strength: 1, sameGroup: false, reason: `${service} calls ${alert.service}` };
    }
  }
  return undefined;
}

/**
 * A quick test that rules out incidents relationTo would find unrelated, or undefined when it
 * cannot say. An alert on a service, outside any Alertmanager group and correlation rule (every
 * detector's alert), relates only to incidents on that service or a neighbour of it in the call
 * graph: in a storm of thousands of open incidents each such alert is tested against every one, and
 * this looks at their service names only.
 */
export function possibleRelation(alert: IncidentAlert, catalogue: Catalogue): ((incident: Incident) => boolean) | undefined {
  if (alert.group !== undefined || alert.correlationLabels !== undefined || alert.service === undefined) return undefined;
  const near = neighboursOf(catalogue).get(alert.service) ?? new Set([alert.service]);
  return (incident) => incident.services.some((service) => near.has(service));
}

/** Each catalogued service with the services it calls and those that call it, itself included; worked out once per catalogue. */
const neighbourMaps = new WeakMap<Catalogue, Map<string, Set<string>>>();

function neighboursOf(catalogue: Catalogue): Map<string, Set<string>> {
  let neighbours = neighbourMaps.get(catalogue);
  if (neighbours) return neighbours;
  neighbours = new Map();
  const near = (name: string) => neighbours!.get(name) ?? neighbours!.set(name, new Set([name])).get(name)!;
  for (const [name, service] of Object.entries(catalogue.services)) {
    for (const dependency of service.dependencies) {
      near(name).add(dependency);
      near(dependency).add(name);
    }
    near(name);
  }
  neighbourMaps.set(catalogue, neighbours);
  return neighbours;
}

/**
 * Whether an open incident still takes new alerts related to it. Activity within the window does;
 * so does any alert still firing, because Alertmanager repeats a firing alert only every
 * repeat_interval (4 h by default), long after the window: silence is no sign it ended (see
 * isStillFiring). A group's alerts join their incident whenever it is open.
 */
export function isJoinable(incident: Incident, relation: Relation, at: number, window: JoinWindow): boolean {
  if (incident.status !== 'open') return false;
  if (relation.sameGroup) return true;
  if (at < incident.firstSeen - window.windowMilliseconds) return false;
  if (at <= incident.lastSeen + window.windowMilliseconds) return true;
  return Object.values(incident.alerts).some((alert) => isStillFiring(alert, at, window.resolveTimeoutMilliseconds));
}

/**
 * Whether an alert of an incident is known to go on at `at`, however long ago it was delivered.
 * An alert that came in an Alertmanager group (every alert of the webhook does) fires until
 * Alertmanager sends its resolve. Our detectors report what goes on every minute, so theirs goes
 * on only until their resolve timeout. Anything else (an alert handed over without its group)
 * proves nothing beyond the window. Load alone never counts.
 */
export function isStillFiring(alert: IncidentAlert, at: number, resolveTimeoutMilliseconds: number): boolean {
  if (alert.status !== 'firing' || isLoadOnly(alert)) return false;
  if (alert.source === 'detector') return alert.lastSeen + resolveTimeoutMilliseconds >= at;
  return alert.group !== undefined;
}

/**
 * Load alone is context, not trouble: an alert saying only that a service is busier than usual
 * (describesLoadOnly) joins an open incident, where it shows how far a surge reached, but neither
 * opens one, nor keeps one open, nor merges two. A service still busy after the fix is no incident.
 */
export function isLoadOnly(alert: Pick<IncidentAlert, 'signals'>): boolean {
  return alert.signals !== undefined && describesLoadOnly(alert.signals);
}

function ruleRelation(alert: IncidentAlert, members: readonly IncidentAlert[], catalogue: Catalogue): Relation | undefined {
  const labels = alert.correlationLabels;
  if (labels === undefined) return undefined;
  for (const rule of catalogue.alerting.correlation) {
    if (!rule.sameLabels.every((name) => labels[name] !== undefined)) continue;
    const shared = members.some((member) => rule.sameLabels.every((name) => member.correlationLabels?.[name] === labels[name]));
    if (shared) {
      const values = Object.fromEntries(rule.sameLabels.map((name) => [name, labels[name]!]));
      return { strength: 2, sameGroup: false, reason: `correlation rule "${rule.name}" (${describeLabels(values)})` };
    }
  }
  return undefined;
}

/** The labels any correlation rule compares that the alert carries; undefined when none. */
export function correlationLabelsOf(alert: Alert, catalogue: Catalogue): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const rule of catalogue.alerting.correlation) {
    if (!rule.sameLabels.every((name) => alert.labels[name] !== undefined)) continue;
    for (const name of rule.sameLabels) labels[name] = alert.labels[name]!;
  }
  return Object.keys(labels).length > 0 ? labels : undefined;
}
