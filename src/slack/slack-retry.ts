import { ErrorCode as SlackErrorCode } from '@slack/web-api';

/** The first retry waits this long, each later one twice as long as the one before, up to the cap. */
const FIRST_RETRY_MILLISECONDS = 1_000;
const MAXIMUM_RETRY_MILLISECONDS = 5 * 60_000;

/**
 * How long to wait before trying a failed Slack call again: what a 429 asks for, otherwise an
 * exponential backoff by attempt (1 s, 2 s, 4 s, ... up to 5 minutes). Every failure is retried:
 * an outage ends, and a bot invited late into a channel (`not_in_channel`) should still post the
 * incidents that waited for it; the cap keeps a hopeless call from costing more than a call every
 * few minutes.
 */
export function slackRetryDelay(error: unknown, attempt: number): number {
  const backoff = Math.min(MAXIMUM_RETRY_MILLISECONDS, FIRST_RETRY_MILLISECONDS * 2 ** Math.max(0, attempt - 1));
  const slackError = error as { code?: string; retryAfter?: number };
  if (slackError.code === SlackErrorCode.RateLimitedError && typeof slackError.retryAfter === 'number') {
    return Math.max(slackError.retryAfter * 1000, FIRST_RETRY_MILLISECONDS);
  }
  return backoff;
}

/** One line for the log: Slack's own error code when it gave one. */
export function slackErrorText(error: unknown): string {
  const slackError = error as { code?: string; data?: { error?: string }; message?: string };
  return slackError.data?.error ?? slackError.message ?? String(error);
}
