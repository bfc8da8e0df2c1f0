import type { Incident } from '../alerts/incident.js';
import type { Catalogue } from '../catalogue.js';
import { capacityWarnings, type ForecastDigest } from '../forecast/forecast-digest.js';
import type { Trend } from '../forecast/trends.js';
import type { HistoryDatabase, HistorySummary } from '../history/history-database.js';
import type { AuditEntry } from '../state/audit-log.js';
import { serviceTrends, type ServiceTrendsDependencies } from './service-trends.js';

export interface DigestPeriod {
  every: 'day' | 'week';
  /** [start, end), ms since the epoch. */
  start: number;
  end: number;
  /** Names the period once: "2026-12-05" for a day, the Monday "2026-11-30" for a week. */
  key: string;
}

export interface PeriodDigestDependencies extends ServiceTrendsDependencies {
  catalogue: Catalogue;
  incidents: { all(): Promise<Incident[]> };
  audit: { recent(count: number): Promise<AuditEntry[]> };
  forecasts: { many(services: readonly string[], signals: readonly ForecastDigest['signal'][]): Promise<ForecastDigest[]> };
  /** The PostgreSQL history, when configured: the whole period's incidents (Redis keeps a day), per service, and the actions that helped. */
  history?: Pick<HistoryDatabase, 'summary'>;
}

export interface DigestIncident {
  id: string;
  services: string[];
  severity: Incident['severity'];
  openedAt: number;
  /** Resolved within the period or later; absent while still open. */
  resolvedAt?: number;
  /** Open time inside the period's end. */
  durationMilliseconds: number;
}

export interface NoisyAlert {
  name: string;
  /** Distinct alerts (fingerprints) of that name in the period's incidents. */
  alerts: number;
  /** Firing/resolved changes recorded for them (flapping shows here). */
  changes: number;
  incidents: number;
}

export interface PeriodDigest {
  period: DigestPeriod;
  incidents: DigestIncident[];
  /** Mean time from opening to resolution of those resolved, ms; undefined when none was. */
  meanTimeToResolve?: number;
  noisiest: NoisyAlert[];
  actions: AuditEntry[];
  trends: Trend[];
  /** Trends could not be computed: why. */
  trendsProblem?: string;
  capacity: ForecastDigest[];
  /** From the PostgreSQL history, when configured and readable. */
  history?: HistorySummary;
}

/** Audit entries read to find the period's: more than any period's actions in a sane estate. */
const AUDIT_READ = 500;
const CAPACITY_WITHIN = 7 * 86_400_000;

/**
 * The digest's content for a period: incidents active in it with their durations, the alerts
 * that fired most, the actions taken (the audit log), the largest sustained trends and the
 * forecasts reaching a limit within a week. Each part that cannot be read is left empty rather
 * than failing the digest.
 */
export async function periodDigest(dependencies: PeriodDigestDependencies, period: DigestPeriod, signals: readonly ForecastDigest['signal'][]): Promise<PeriodDigest> {
  const { start, end } = period;
  const all = await dependencies.incidents.all();
  const active = all.filter((incident) => incident.firstSeen < end && (incident.resolvedAt === undefined || incident.resolvedAt >= start) && incident.mergedInto === undefined);
  const incidents: DigestIncident[] = active
    .map((incident) => ({
      id: incident.id,
      services: incident.services,
      severity: incident.severity,
      openedAt: incident.firstSeen,
      ...(incident.status === 'resolved' && incident.resolvedAt !== undefined ? { resolvedAt: incident.resolvedAt } : {}),
      durationMilliseconds: Math.max(0, Math.min(end, incident.status === 'resolved' ? (incident.resolvedAt ?? end) : end) - incident.firstSeen),
    }))
    .sort((left, right) => right.durationMilliseconds - left.durationMilliseconds);
  const resolved = incidents.filter((incident) => incident.resolvedAt !== undefined && incident.resolvedAt < end);
  const noisy = new Map<string, NoisyAlert>();
  for (const incident of active) {
    const names = new Set<string>();
    for (const alert of Object.values(incident.alerts)) {
      const entry = noisy.get(alert.name) ?? { name: alert.name, alerts: 0, changes: 0, incidents: 0 };
      entry.alerts += 1;
      entry.changes += alert.transitions.length;
      if (!names.has(alert.name)) entry.incidents += 1;
      names.add(alert.name);
      noisy.set(alert.name, entry);
    }
  }
  const actions = (await dependencies.audit.recent(AUDIT_READ).catch(() => [])).filter((entry) => entry.at >= start && entry.at < end);
  const services = Object.keys(dependencies.catalogue.services);
  let trends: Trend[] = [];
  let trendsProblem: string | undefined;
  try {
    trends = (await serviceTrends(dependencies, { limit: 5 })).trends;
  } catch (error) {
    trendsProblem = (error as Error).message.split('\n')[0];
  }
  // Best effort like every part: a history that cannot be read leaves its part out.
  const history = await dependencies.history?.summary(start, { until: end, latest: 1 }).catch(() => undefined);
  const capacity = capacityWarnings(await dependencies.forecasts.many(services, signals).catch(() => []), end, CAPACITY_WITHIN);
  return {
    period,
    incidents,
    ...(resolved.length > 0 ? { meanTimeToResolve: resolved.reduce((sum, incident) => sum + (incident.resolvedAt! - incident.openedAt), 0) / resolved.length } : {}),
    noisiest: [...noisy.values()].sort((left, right) => right.alerts + right.changes - (left.alerts + left.changes)).slice(0, 5),
    actions,
    trends,
    ...(trendsProblem ? { trendsProblem } : {}),
    capacity,
    ...(history ? { history } : {}),
  };
}

/**
 * The latest digest period due at `now`: days end at `hourUtc` each day, weeks at `hourUtc` on
 * Mondays. The period is the day (or week) that ended then.
 */
export function duePeriod(now: number, every: 'day' | 'week', hourUtc: number): DigestPeriod {
  const day = 86_400_000;
  const midnight = Math.floor(now / day) * day;
  let end = midnight + hourUtc * 3_600_000;
  if (end > now) end -= day;
  if (every === 'week') {
    // 1970-01-01 was a Thursday: Monday is weekday 0 here.
    const weekday = (Math.floor(end / day) + 3) % 7;
    end -= weekday * day;
  }
  const length = every === 'day' ? day : 7 * day;
  return { every, start: end - length, end, key: new Date(end - length).toISOString().slice(0, 10) };
}
