import type { ServiceRunbook } from '../catalogue.js';
import type { AlertSeverity } from '../severity.js';
import type { Incident } from './incident.js';
import { incidentSubject } from './incident-subject.js';

/** What a page says, whichever service carries it; each receiver truncates it to its own field limits. */
export interface PageContent {
  /**
   * Stable for the incident's life, reopenings included, so a trigger sent twice is one page and
   * the acknowledgement and resolution find it (PagerDuty's dedup_key, Opsgenie's alias). The
   * first-seen time keeps two installations' INC-7 apart on one pager service.
   */
  dedupKey: string;
  incidentId: string;
  /** One line: severity, id, where, and what fires. */
  summary: string;
  severity: AlertSeverity;
  /** The likely origin service, or the first affected one; `aiops` for an incident naming none. */
  source: string;
  services: string[];
  /** When the incident began, ms. */
  firstSeen: number;
  /** Its firing alerts (all of them once none fires), one line each: name and summary. */
  alerts: string[];
  /**
   * The page's links: the catalogue's runbooks of the incident's services and the alerts' own
   * (`runbook_url`) first, what someone paged reads first, then where the alerts' sources draw them
   * (Alertmanager's generatorURL).
   */
  links: Array<{ href: string; text: string }>;
  /** The Slack user who acknowledged or resolved it, when one did. */
  actor?: string;
}

/** How many alert lines a page carries: the rest is counted. */
const ALERT_LINES = 20;

/** How many links a page carries. */
const LINKS = 5;

/**
 * The page for an incident as people see it (severity raised by escalation rules); `actor` who
 * acknowledged or resolved it; `runbooks` the catalogue's runbooks of its services, in its order.
 */
export function pageContent(incident: Incident, actor?: string, runbooks: readonly ServiceRunbook[] = []): PageContent {
  const alerts = Object.values(incident.alerts);
  const firing = alerts.filter((alert) => alert.status === 'firing');
  const told = (firing.length > 0 ? firing : alerts).sort((left, right) => left.firstSeen - right.firstSeen || left.fingerprint.localeCompare(right.fingerprint));
  const lines = told.slice(0, ALERT_LINES).map((alert) => `${alert.name}${alert.service ? ` (${alert.service})` : ''}: ${alert.summary}`);
  if (told.length > ALERT_LINES) lines.push(`… and ${told.length - ALERT_LINES} more`);
  const what = told[0] ? `${told[0].name}${told.length > 1 ? ` and ${told.length - 1} more` : ''}` : 'no alerts';
  return {
    dedupKey: `aiops/${incident.id}/${incident.firstSeen}`,
    incidentId: incident.id,
    summary: `[${incident.severity}] ${incident.id} on ${incidentSubject(incident)}: ${what}`,
    severity: incident.severity,
    source: incident.origin ?? incident.services[0] ?? 'aiops',
    services: incident.services,
    firstSeen: incident.firstSeen,
    alerts: lines,
    links: distinctLinks([
      ...runbooks.map(({ service, url }) => ({ href: url, text: `Runbook: ${service}` })),
      ...told.flatMap((alert) => (alert.runbookURL && /^https?:\/\//i.test(alert.runbookURL) ? [{ href: alert.runbookURL, text: `Runbook: ${alert.name}` }] : [])),
      ...told.flatMap((alert) => (alert.generatorURL ? [{ href: alert.generatorURL, text: 'Alert source' }] : [])),
    ]).slice(0, LINKS),
    ...(actor ? { actor } : {}),
  };
}

/** At most `limit` characters (code points, so an emoji is never cut in half), an ellipsis marking the cut, as Alertmanager's receivers truncate. */
export function truncateText(text: string, limit: number): string {
  const characters = Array.from(text);
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join('')}…`;
}

/** Each address once, under the first name it came with. */
function distinctLinks(links: ReadonlyArray<{ href: string; text: string }>): Array<{ href: string; text: string }> {
  const seen = new Set<string>();
  return links.filter((link) => !seen.has(link.href) && Boolean(seen.add(link.href)));
}
