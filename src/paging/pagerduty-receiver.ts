import type { PageAction } from '../alerts/page-plan.js';
import { truncateText, type PageContent } from '../alerts/page-content.js';
import { postPage, type PageOutcome, type PageReceiver } from './page-receiver.js';

/** PagerDuty's Events API v2 limits: dedup_key 255, summary 1024, source and component 255 characters. */
const LIMITS = { dedupKey: 255, summary: 1024, source: 255, group: 255, alertLine: 500 } as const;

/**
 * The Events API v2 body for one action (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty).
 * Only a trigger carries a payload; acknowledge and resolve name the page by its dedup key.
 */
export function pagerDutyEvent(action: PageAction, content: PageContent, routingKey: string): Record<string, unknown> {
  const event = { routing_key: routingKey, event_action: action, dedup_key: truncateText(content.dedupKey, LIMITS.dedupKey) };
  if (action !== 'trigger') return event;
  return {
    ...event,
    client: 'aiops',
    payload: {
      summary: truncateText(content.summary, LIMITS.summary),
      source: truncateText(content.source, LIMITS.source),
      severity: content.severity,
      timestamp: new Date(content.firstSeen).toISOString(),
      component: truncateText(content.source, LIMITS.source),
      group: truncateText(content.services.join(', ') || 'uncatalogued', LIMITS.group),
      class: 'incident',
      custom_details: { incident: content.incidentId, services: content.services, alerts: content.alerts.map((line) => truncateText(line, LIMITS.alertLine)) },
    },
    links: content.links,
  };
}

/** A PagerDuty service's Events API v2 integration: its routing key, and the enqueue URL. */
export class PagerDutyReceiver implements PageReceiver {
  readonly type = 'pagerduty';

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly routingKey: string,
  ) {}

  send(action: PageAction, content: PageContent): Promise<PageOutcome> {
    return postPage(this.url, pagerDutyEvent(action, content, this.routingKey), {});
  }
}
