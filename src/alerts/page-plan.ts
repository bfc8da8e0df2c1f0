import type { Catalogue, EscalationRule } from '../catalogue.js';
import { severityRank } from '../severity.js';
import type { Incident } from './incident.js';

/** What a receiver was last told about an incident. */
export type PageState = 'triggered' | 'acknowledged' | 'resolved';
/** What a receiver can be told: the Events API's (and Opsgenie's create, acknowledge, close) three. */
export type PageAction = 'trigger' | 'acknowledge' | 'resolve';

/** Where a receiver stands after it took an action. */
export const STATE_AFTER: Readonly<Record<PageAction, PageState>> = { trigger: 'triggered', acknowledge: 'acknowledged', resolve: 'resolved' };

export interface PageFacts {
  /** Whether the noise policy lets the incident be shown now (group wait over, outside maintenance, not merged away). */
  shownNow: boolean;
  /** Whether someone has taken the incident on in Slack. */
  acknowledged: boolean;
}

/**
 * The receivers an incident pages: those of every route it matches (severity as shown, so an
 * escalation to critical can page; services and teams by the incident's catalogued services) and
 * those the escalation rules fired for it name. Sorted, so every process pages in one order.
 */
export function pagedReceivers(incident: Incident, catalogue: Pick<Catalogue, 'services' | 'paging'>, fired: readonly EscalationRule[]): string[] {
  const paged = new Set<string>(fired.flatMap((rule) => rule.page ?? []));
  const teams = new Set(incident.services.flatMap((service) => (Object.hasOwn(catalogue.services, service) ? [catalogue.services[service]!.team] : [])));
  for (const route of catalogue.paging?.routes ?? []) {
    if (severityRank(incident.severity) < severityRank(route.minimumSeverity)) continue;
    if (route.services && !route.services.some((service) => incident.services.includes(service))) continue;
    if (route.teams && !route.teams.some((team) => teams.has(team))) continue;
    paged.add(route.receiver);
  }
  return [...paged].sort();
}

/**
 * The one thing a receiver must be told next so that it agrees with the incident, or nothing.
 * Level-triggered: it compares what the incident is with what the receiver last heard, so a
 * retry, a restart or a second replica working the same incident sends nothing twice.
 * - A resolved incident (or one merged into another, whose story goes on there) resolves an
 *   active page; one never paged stays unpaged.
 * - An acknowledged incident acknowledges a triggered page. It is never paged anew: someone has it.
 * - An open incident routed to the receiver, shown now (past its group wait, outside
 *   maintenance), triggers; reopened after its page was resolved, it triggers again under the
 *   same key. An active page whose route no longer matches (the severity fell) stays as it is
 *   until the incident resolves, as a pager's page would.
 */
export function nextPageAction(incident: Incident, routed: boolean, facts: PageFacts, state: PageState | undefined): PageAction | undefined {
  const active = state === 'triggered' || state === 'acknowledged';
  if (incident.status === 'resolved' || incident.mergedInto !== undefined) return active ? 'resolve' : undefined;
  if (active) return facts.acknowledged && state === 'triggered' ? 'acknowledge' : undefined;
  return routed && facts.shownNow && !facts.acknowledged ? 'trigger' : undefined;
}
