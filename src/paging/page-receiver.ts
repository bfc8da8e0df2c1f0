import type { PageAction } from '../alerts/page-plan.js';
import type { PageContent } from '../alerts/page-content.js';
import type { PageReceiverType } from '../paging-settings.js';

/** What became of one call to a pager: taken, worth asking again (429, 5xx, no answer), or refused for good. */
export type PageOutcome = { kind: 'delivered' } | { kind: 'retry'; reason: string; retryAfterMilliseconds?: number } | { kind: 'rejected'; reason: string };

/** A paging service the catalogue names: told to trigger, acknowledge or resolve an incident's page. Never throws. */
export interface PageReceiver {
  readonly name: string;
  readonly type: PageReceiverType;
  send(action: PageAction, content: PageContent): Promise<PageOutcome>;
}

/** How long one call may take before it counts as unanswered (and is retried). */
const REQUEST_TIMEOUT_MILLISECONDS = 10_000;
/** How much of a refusal's body goes into the log line. */
const REASON_CHARACTERS = 300;

/**
 * POSTs JSON and reads the answer as a pager's: any 2xx delivered; 429 and 5xx, a timeout or no
 * connection retried (after Retry-After when given); any other 4xx refused with what the service
 * said (a bad key, a malformed event: asking again would not help). `treatAsDelivered` names
 * statuses that mean the work is already done (Opsgenie's 404 when closing an alert it no longer has).
 */
export async function postPage(url: string, body: unknown, headers: Record<string, string>, treatAsDelivered: readonly number[] = []): Promise<PageOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MILLISECONDS),
    });
  } catch (error) {
    return { kind: 'retry', reason: `no answer from ${new URL(url).host}: ${(error as Error).message}` };
  }
  const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, REASON_CHARACTERS);
  if (response.ok || treatAsDelivered.includes(response.status)) return { kind: 'delivered' };
  const reason = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = retryAfterMilliseconds(response.headers.get('retry-after'));
    return { kind: 'retry', reason, ...(retryAfter === undefined ? {} : { retryAfterMilliseconds: retryAfter }) };
  }
  return { kind: 'rejected', reason };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMilliseconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
