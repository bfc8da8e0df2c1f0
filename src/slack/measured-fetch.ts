import type { FetchFunction } from '@slack/web-api';
import type { SlackCallOutcome } from '../telemetry/metrics.js';

/** A Web API method as it ends Slack's URLs (`chat.postMessage`, `conversations.history`). */
const METHOD_NAME = /^[a-z]+(\.[a-zA-Z]+)+$/;

/**
 * The `fetch` the Web API clients use (`clientOptions.fetch`), reporting every call's method and
 * outcome. Slack answers errors with HTTP 200 and `ok: false`, so the outcome is read from a
 * clone of the body; the client reads the original untouched. Anything that is not a Web API
 * method (a response URL, an upload URL) is reported as `other`, keeping the label set small.
 */
export function measuredFetch(record: (method: string, outcome: SlackCallOutcome) => void, fetchImplementation: FetchFunction = globalThis.fetch): FetchFunction {
  return async (url, init) => {
    const last = new URL(String(url)).pathname.split('/').filter(Boolean).at(-1) ?? '';
    const method = METHOD_NAME.test(last) ? last : 'other';
    let response: Awaited<ReturnType<FetchFunction>>;
    try {
      response = await fetchImplementation(url, init);
    } catch (error) {
      record(method, 'network_error');
      throw error;
    }
    record(method, await outcomeOf(response));
    return response;
  };
}

async function outcomeOf(response: Awaited<ReturnType<FetchFunction>>): Promise<SlackCallOutcome> {
  if (response.status === 429) return 'rate_limited';
  if (!response.ok) return 'http_error';
  const clone = (response as { clone?: () => { json(): Promise<unknown> } }).clone?.();
  if (!clone) return 'ok';
  const body = await clone.json().catch(() => undefined);
  return body && typeof body === 'object' && (body as { ok?: unknown }).ok === false ? 'error' : 'ok';
}
