import { ErrorCode as SlackErrorCode } from '@slack/web-api';
import type { SlackConfig } from '../config.js';
import { AiopsError, configError, ErrorCode } from '../errors.js';

/** Slack's answers that mean the token itself is wrong, not that Slack is unwell. */
const REFUSED_TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/**
 * What a Slack failure during the start means to the user, in one line: a token Slack refuses
 * names its variable (AIOPS_CONFIG_INVALID, so the start ends with exit code 2); anything else
 * names where Slack was and what went wrong (AIOPS_SOURCE_UNAVAILABLE).
 */
export function slackStartError(error: unknown, variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN', config: SlackConfig): AiopsError {
  if (error instanceof AiopsError) return error;
  const code = (error as { code?: string }).code;
  const slackError = (error as { data?: { error?: string } }).data?.error;
  if (code === SlackErrorCode.PlatformError && slackError && REFUSED_TOKEN_ERRORS.has(slackError)) {
    return configError(variable, `Slack refused the token (${slackError})`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new AiopsError(ErrorCode.SourceUnavailable, `slack (${config.apiUrl ?? 'https://slack.com/api/'}): ${reason}`, {
    backend: 'slack',
    hint: config.apiUrl ? 'check SLACK_API_URL and that Slack answers there' : 'check the network',
    cause: error,
  });
}
