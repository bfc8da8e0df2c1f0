import type { AlertSeverity } from '../severity.js';
import type { Incident } from './correlate.js';

/** A planned quiet period, from the catalogue's `alerting.maintenance`: its services' incidents page no one from start to end. */
export interface MaintenanceWindow {
  /** Catalogued services covered, or 'all' for the whole estate (service-less incidents included). */
  services: string[] | 'all';
  /** Milliseconds since the epoch; the window covers start <= now < end. */
  start: number;
  end: number;
  /** Shown to people: what the planned work is. */
  reason?: string;
}

export interface NoisePolicyOptions {
  /**
   * How long a new incident waits for related alerts before its first notification, by severity, ms
   * (Alertmanager's group_wait). Default 30 s for info and warning, 0 for critical: a storm's
   * first alert is rarely the whole story, but a critical one should not wait for the rest.
   */
  groupWait?: Partial<Record<AlertSeverity, number | undefined>>;
  maintenance?: readonly MaintenanceWindow[];
}

export const DEFAULT_GROUP_WAIT_MILLISECONDS: Readonly<Record<AlertSeverity, number>> = { info: 30_000, warning: 30_000, critical: 0 };

export interface NotifyDecision {
  notify: boolean;
  /** One line saying why, for logs and the incident's thread. */
  reason: string;
  /** When holding back, the time the answer may change: ask again then. */
  retryAt?: number;
}

/**
 * Whether to notify about an incident now. Maintenance first: an incident whose services are
 * all covered by active windows stays quiet, whatever its severity, because the people who
 * would be paged are the ones doing the work. Then group wait: a new incident holds its first
 * notification for its severity's wait, so the alerts of a storm land in one message; an
 * escalation to critical during the wait ends it at once, and an incident that resolved within
 * its wait was a blip nobody needs to hear about.
 */
export function shouldNotify(incident: Incident, now: number, options: NoisePolicyOptions = {}): NotifyDecision {
  // Its story goes on in the incident it was merged into; a message of its own would only split it.
  if (incident.mergedInto !== undefined) return { notify: false, reason: `merged into ${incident.mergedInto}` };
  const maintenance = maintenanceCovering(incident, now, options.maintenance ?? []);
  if (maintenance !== undefined) {
    return { notify: false, reason: `in a maintenance window until ${iso(maintenance)}`, retryAt: maintenance };
  }
  const wait = options.groupWait?.[incident.severity] ?? DEFAULT_GROUP_WAIT_MILLISECONDS[incident.severity];
  const waitEnds = incident.firstSeen + wait;
  if (incident.status === 'resolved') {
    const resolvedAt = incident.resolvedAt ?? now;
    if (resolvedAt < waitEnds) return { notify: false, reason: `resolved within its ${seconds(wait)} group wait` };
    return { notify: true, reason: 'resolved' };
  }
  if (now < waitEnds) {
    return { notify: false, reason: `${incident.severity} incident in its ${seconds(wait)} group wait until ${iso(waitEnds)}`, retryAt: waitEnds };
  }
  return { notify: true, reason: wait === 0 ? `${incident.severity}: no group wait` : 'group wait over' };
}

/**
 * The earliest end among the active windows touching the incident, when together they cover
 * every one of its services; undefined when it is not (fully) in maintenance. An incident that
 * reaches beyond the maintained services still pages: the trouble has spread past the planned work.
 */
function maintenanceCovering(incident: Incident, now: number, windows: readonly MaintenanceWindow[]): number | undefined {
  const active = windows.filter((window) => window.start <= now && now < window.end);
  const everything = active.filter((window) => window.services === 'all');
  const relevant = active.filter(
    (window) => window.services === 'all' || window.services.some((service) => incident.services.includes(service)),
  );
  const covered = new Set(relevant.flatMap((window) => (window.services === 'all' ? [] : window.services)));
  const allCovered = everything.length > 0 || (incident.services.length > 0 && incident.services.every((service) => covered.has(service)));
  if (!allCovered) return undefined;
  return Math.min(...relevant.map((window) => window.end));
}

function seconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 1000)} s`;
}

function iso(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}
