import { ErrorCode as SlackErrorCode } from '@slack/web-api';

/** The first retry waits this long, each later one twice as long as the one before, up to the cap. */
const FIRST_RETRY_MILLISECONDS = 1_000;
const MAXIMUM_RETRY_MILLISECONDS = 5 * 60_000;

/**
 * How long to wait before trying a failed Slack call again: what a 429 asks for, otherwise an
 * exponential backoff by attempt (1 s, 2 s, 4 s, ... up to 5 minutes). Every failure is retried:
 * an outage ends, and a bot invited late into a channel (`not_in_channel`) should still post the
 * incidents that waited for it; the cap keeps a hopeless call from costing more than a call every
 * few minutes. (The incident notifier uses it for a call's own failures; for Slack being out it
 * pauses as a whole, see slackOutageDelay.)
 */
export function slackRetryDelay(error: unknown, attempt: number): number {
  const backoff = Math.min(MAXIMUM_RETRY_MILLISECONDS, FIRST_RETRY_MILLISECONDS * 2 ** Math.max(0, attempt - 1));
  const slackError = error as { code?: string; retryAfter?: number };
  if (slackError.code === SlackErrorCode.RateLimitedError && typeof slackError.retryAfter === 'number') {
    return Math.max(slackError.retryAfter * 1000, FIRST_RETRY_MILLISECONDS);
  }
  return backoff;
}

/** While Slack itself is out, it is asked again after 1 s, then twice as long each time, up to this. */
const MAXIMUM_OUTAGE_PAUSE_MILLISECONDS = 15_000;
/**
 * Whether a failed call says Slack itself is out or refusing for now, whatever was asked: no
 * connection or no answer, an HTTP 5xx, `service_unavailable`, or a 429. Anything else (a channel
 * the bot is not in, a message Slack refuses: Slack answers those with HTTP 200 and `ok: false`)
 * is about the call, and retried on its own.
 */
export function isSlackOutage(error: unknown): boolean {
  const slackError = error as { code?: string; statusCode?: number; data?: { error?: string } };
  switch (slackError.code) {
    case SlackErrorCode.RequestError:
    case SlackErrorCode.RateLimitedError:
      return true;
    case SlackErrorCode.HTTPError:
      return (slackError.statusCode ?? 500) >= 500;
    case SlackErrorCode.PlatformError:
      return slackError.data?.error === 'service_unavailable';
    default:
      return false;
  }
}

/**
 * How long to leave Slack alone after the `failures`-th outage failure in a row: what a 429 asks
 * for, otherwise 1 s, 2 s, 4 s … up to 15 s, so that messages go out soon after Slack is back,
 * at the cost of one call every 15 s while it is not.
 */
export function slackOutageDelay(error: unknown, failures: number): number {
  const slackError = error as { code?: string; retryAfter?: number };
  if (slackError.code === SlackErrorCode.RateLimitedError && typeof slackError.retryAfter === 'number') {
    return Math.max(slackError.retryAfter * 1000, FIRST_RETRY_MILLISECONDS);
  }
  return Math.min(MAXIMUM_OUTAGE_PAUSE_MILLISECONDS, FIRST_RETRY_MILLISECONDS * 2 ** Math.max(0, failures - 1));
}

/** One line for the log: Slack's own error code when it gave one. */
export function slackErrorText(error: unknown): string {
  const slackError = error as { code?: string; data?: { error?: string }; message?: string };
  return slackError.data?.error ?? slackError.message ?? String(error);
}
