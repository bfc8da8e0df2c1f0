import type { PageAction } from '../alerts/page-plan.js';
import { truncateText, type PageContent } from '../alerts/page-content.js';
import type { AlertSeverity } from '../severity.js';
import { postPage, type PageOutcome, type PageReceiver } from './page-receiver.js';

/** Opsgenie's Alert API limits (https://docs.opsgenie.com/docs/alert-api): message 130, alias 512, description 15,000, source 100, user 100, tags 20 of 50, details 8,000 in all. */
const LIMITS = { message: 130, alias: 512, description: 15_000, source: 100, entity: 512, user: 100, note: 25_000, tags: 20, tag: 50, details: 8000 } as const;

const PRIORITY: Readonly<Record<AlertSeverity, string>> = { critical: 'P1', warning: 'P3', info: 'P5' };

export interface OpsgenieRequest {
  /** Relative to the API's base URL. */
  path: string;
  body: Record<string, unknown>;
}

/**
 * The Alert API call for one action: create (its alias is the dedup key, so a second create of
 * an open alert only counts up), or acknowledge or close the alert found by that alias.
 */
export function opsgenieRequest(action: PageAction, content: PageContent): OpsgenieRequest {
  const alias = truncateText(content.dedupKey, LIMITS.alias);
  if (action === 'trigger') {
    return {
      path: '/v2/alerts',
      body: {
        message: truncateText(content.summary, LIMITS.message),
        alias,
        description: truncateText([content.summary, '', ...content.alerts, ...(content.links.length > 0 ? ['', ...content.links.map((link) => `${link.text}: ${link.href}`)] : [])].join('\n'), LIMITS.description),
        priority: PRIORITY[content.severity],
        source: 'aiops',
        entity: truncateText(content.source, LIMITS.entity),
        tags: content.services.slice(0, LIMITS.tags).map((service) => truncateText(service, LIMITS.tag)),
        details: { incident: content.incidentId, services: truncateText(content.services.join(', '), LIMITS.details - 100) },
      },
    };
  }
  const verb = action === 'acknowledge' ? 'acknowledge' : 'close';
  const by = content.actor ? ` by ${content.actor}` : '';
  const note = action === 'acknowledge' ? `Acknowledged in Slack${by}` : `Resolved${content.actor ? ` in Slack${by}` : ': its alerts ended'}`;
  return {
    path: `/v2/alerts/${encodeURIComponent(alias)}/${verb}?identifierType=alias`,
    body: { source: 'aiops', note: truncateText(note, LIMITS.note), ...(content.actor ? { user: truncateText(content.actor, LIMITS.user) } : {}) },
  };
}

/** An Opsgenie team's API integration: its GenieKey, and the API's base URL. */
export class OpsgenieReceiver implements PageReceiver {
  readonly type = 'opsgenie';

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  send(action: PageAction, content: PageContent): Promise<PageOutcome> {
    const request = opsgenieRequest(action, content);
    // An alert Opsgenie no longer has (deleted by hand, past its retention) has nothing left to acknowledge or close.
    return postPage(`${this.baseUrl.replace(/\/+$/, '')}${request.path}`, request.body, { authorization: `GenieKey ${this.apiKey}` }, action === 'trigger' ? [] : [404]);
  }
}
