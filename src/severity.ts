/** How urgent an alert, an anomaly or an incident is, and how people spell it in a `severity` label. */

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** Severities from least to most urgent: the index is the rank that escalation compares. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];

/** The more urgent of two severities. */
export function maximumSeverity(left: AlertSeverity, right: AlertSeverity): AlertSeverity {
  return severityRank(left) >= severityRank(right) ? left : right;
}

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

/** Extra spellings of each severity, from the catalogue's `alerting.severities`. */
export type SeveritySynonyms = Partial<Record<AlertSeverity, readonly string[]>>;

/**
 * The spellings of a `severity` label seen in the wild (Prometheus mixins, PagerDuty, Opsgenie,
 * ITIL priorities, SEV levels, syslog and Zabbix levels), by the severity they mean here. Compared after normalising (see
 * normalizeSeverityLabel), so `SEV-1`, `sev_1` and `Sev 1` are all `sev1`.
 */
export const DEFAULT_SEVERITY_SYNONYMS: Readonly<Record<AlertSeverity, readonly string[]>> = {
  critical: ['critical', 'crit', 'page', 'error', 'err', 'high', 'p0', 'p1', 'sev0', 'sev1', 'major', 'emergency', 'emerg', 'alert', 'fatal', 'disaster'],
  warning: ['warning', 'warn', 'medium', 'moderate', 'average', 'p2', 'p3', 'sev2', 'sev3', 'minor'],
  info: ['info', 'informational', 'information', 'notice', 'low', 'p4', 'p5', 'sev4', 'sev5', 'none', 'debug'],
};

/** Lower case, without spaces, `-` or `_`: how spellings are compared. */
export function normalizeSeverityLabel(label: string): string {
  return label.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

const lookups = new WeakMap<SeveritySynonyms, ReadonlyMap<string, AlertSeverity>>();
const NO_SYNONYMS: SeveritySynonyms = {};

/**
 * The severity a `severity` label means: the catalogue's spellings first (they may move a default
 * one, e.g. `high: warning` for an estate where "high" is not worth waking anyone), then the
 * defaults. An absent or unknown label is info: nothing worth waking anyone for.
 */
export function severityFromLabel(label: string | undefined, configured: SeveritySynonyms = NO_SYNONYMS): AlertSeverity {
  if (label === undefined) return 'info';
  return lookupOf(configured).get(normalizeSeverityLabel(label)) ?? 'info';
}

/** Built once per catalogue section: a delivery of a thousand alerts does not rebuild it each time. */
function lookupOf(configured: SeveritySynonyms): ReadonlyMap<string, AlertSeverity> {
  const cached = lookups.get(configured);
  if (cached) return cached;
  const lookup = new Map<string, AlertSeverity>();
  for (const synonyms of [DEFAULT_SEVERITY_SYNONYMS, configured]) {
    for (const [severity, spellings] of Object.entries(synonyms) as Array<[AlertSeverity, readonly string[] | undefined]>) {
      for (const spelling of spellings ?? []) lookup.set(normalizeSeverityLabel(spelling), severity);
    }
  }
  lookups.set(configured, lookup);
  return lookup;
}
