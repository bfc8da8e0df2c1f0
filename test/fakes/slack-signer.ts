import { createHmac, randomUUID } from 'node:crypto';

/**
 * Sends requests to a Bolt HTTP receiver exactly the way Slack does: signed with
 * `v0=HMAC_SHA256(signing secret, "v0:" + timestamp + ":" + raw body)`, events as JSON, slash
 * commands and interactions form-encoded. Also builds the payloads themselves, so the Socket Mode
 * fake can carry the very same bodies inside its envelopes.
 */

/** The workspace, app and bot the payloads claim to come from; they match the Web API fake's `auth.test`. */
export const SLACK_TEAM = {
  teamId: 'T0AIOPS01',
  teamDomain: 'aiops-test',
  apiAppId: 'A0AIOPS01',
  botUserId: 'U0AIOPSBOT',
} as const;

/**
 * Where `response_url` points when a test gives none. Port 9 (discard) on loopback refuses the
 * connection, so a forgotten `respond()` fails loudly instead of reaching the real hooks.slack.com.
 */
export const UNREACHABLE_RESPONSE_URL = 'http://127.0.0.1:9/commands/unreachable';

/** Signs like Slack; the forgeries exist so tests can prove the receiver refuses them. */
export interface SigningOptions {
  /** Sign with the wrong secret, so `X-Slack-Signature` does not match. */
  badSignature?: boolean;
  /** Sign correctly but with a timestamp six minutes old: Bolt refuses anything older than five. */
  staleTimestamp?: boolean;
  /** Exact `X-Slack-Request-Timestamp` in seconds; default now. */
  timestampSeconds?: number;
}

export interface SlackDelivery {
  status: number;
  /** Parsed JSON when the answer is JSON, the text otherwise ('' for an empty 200 ack). */
  body: unknown;
  headers: Record<string, string>;
  elapsedMilliseconds: number;
}

export interface EventEnvelopeOptions {
  /** Slack's unique id for this delivery; a retry carries the same id. Default: a fresh one. */
  eventId?: string;
  teamId?: string;
  apiAppId?: string;
  /** Seconds since the epoch; default now. */
  eventTime?: number;
  /** The bot user the event is authorised for (`authorizations[0].user_id`). */
  botUserId?: string;
}

export interface SendEventOptions extends EventEnvelopeOptions, SigningOptions {
  /** Marks a redelivery: sets `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason`, default `http_timeout`). */
  retryNum?: number;
  retryReason?: string;
}

export interface SlashCommand {
  /** Default `/aiops`. */
  command?: string;
  text: string;
  userId: string;
  channelId: string;
  userName?: string;
  channelName?: string;
  teamId?: string;
  /** Default {@link UNREACHABLE_RESPONSE_URL}; pass the Web API fake's `responseUrl(...)` to capture `respond()`. */
  responseUrl?: string;
  triggerId?: string;
}

export interface BlockActionPayloadOptions {
  actionId: string;
  value?: string;
  blockId?: string;
  userId: string;
  channelId: string;
  /** The message that carries the button; interactions on messages always name it. */
  messageTs: string;
  teamId?: string;
  responseUrl?: string;
  triggerId?: string;
  /** The message as Slack would echo it; default a minimal one with no blocks. */
  message?: Record<string, unknown>;
}

/** The `event_callback` body Slack POSTs for an Events API event (and carries inside `events_api` envelopes). */
export function eventCallbackBody(event: Record<string, unknown>, options: EventEnvelopeOptions = {}): Record<string, unknown> {
  const teamId = options.teamId ?? SLACK_TEAM.teamId;
  const eventTime = options.eventTime ?? Math.floor(Date.now() / 1000);
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: options.apiAppId ?? SLACK_TEAM.apiAppId,
    event: { event_ts: `${eventTime}.000100`, ...event },
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: options.botUserId ?? SLACK_TEAM.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomUUID()}`,
  };
}

/** The fields of a slash command, as Slack form-encodes them over HTTP (and sends as JSON over Socket Mode). */
export function slashCommandFields(command: SlashCommand): Record<string, string> {
  const teamId = command.teamId ?? SLACK_TEAM.teamId;
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    team_domain: SLACK_TEAM.teamDomain,
    channel_id: command.channelId,
    channel_name: command.channelName ?? 'aiops-test',
    user_id: command.userId,
    user_name: command.userName ?? command.userId.toLowerCase(),
    command: command.command ?? '/aiops',
    text: command.text,
    api_app_id: SLACK_TEAM.apiAppId,
    is_enterprise_install: 'false',
    response_url: command.responseUrl ?? UNREACHABLE_RESPONSE_URL,
    trigger_id: command.triggerId ?? `${Date.now()}.${randomUUID().slice(0, 8)}`,
  };
}

/** A `block_actions` payload for one button press on a message, shaped like Slack's. */
export function blockActionPayload(options: BlockActionPayloadOptions): Record<string, unknown> {
  const teamId = options.teamId ?? SLACK_TEAM.teamId;
  const actionTs = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: { id: options.userId, username: options.userId.toLowerCase(), name: options.userId.toLowerCase(), team_id: teamId },
    api_app_id: SLACK_TEAM.apiAppId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: options.messageTs, channel_id: options.channelId, is_ephemeral: false },
    trigger_id: options.triggerId ?? `${Date.now()}.${randomUUID().slice(0, 8)}`,
    team: { id: teamId, domain: SLACK_TEAM.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channelId, name: 'aiops-test' },
    message: options.message ?? { type: 'message', ts: options.messageTs, user: SLACK_TEAM.botUserId, text: '', blocks: [] },
    state: { values: {} },
    response_url: options.responseUrl ?? UNREACHABLE_RESPONSE_URL,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: options.blockId ?? 'actions',
        text: { type: 'plain_text', text: options.actionId, emoji: true },
        ...(options.value === undefined ? {} : { value: options.value }),
        action_ts: actionTs,
      },
    ],
  };
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`, Slack's request signature. */
export function slackSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

/** POSTs an Events API `event_callback` carrying `event`. */
export function sendEvent(url: string, secret: string, event: Record<string, unknown>, options: SendEventOptions = {}): Promise<SlackDelivery> {
  const retryHeaders: Record<string, string> =
    options.retryNum === undefined
      ? {}
      : { 'X-Slack-Retry-Num': String(options.retryNum), 'X-Slack-Retry-Reason': options.retryReason ?? 'http_timeout' };
  return deliver(url, secret, JSON.stringify(eventCallbackBody(event, options)), 'application/json', options, retryHeaders);
}

/** POSTs a slash command, form-encoded as Slack sends it. */
export function sendCommand(url: string, secret: string, command: SlashCommand, signing: SigningOptions = {}): Promise<SlackDelivery> {
  return deliver(url, secret, formEncode(slashCommandFields(command)), FORM_CONTENT_TYPE, signing);
}

/** POSTs an interaction (`block_actions`, `view_submission`, ...) as Slack does: a form with one field, `payload=<json>`. */
export function sendBlockAction(url: string, secret: string, payload: Record<string, unknown>, signing: SigningOptions = {}): Promise<SlackDelivery> {
  return deliver(url, secret, formEncode({ payload: JSON.stringify(payload) }), FORM_CONTENT_TYPE, signing);
}

/** POSTs the `url_verification` challenge Slack sends when the Request URL is saved; Bolt must echo the challenge. */
export function urlVerification(url: string, secret: string, challenge: string = randomUUID(), signing: SigningOptions = {}): Promise<SlackDelivery> {
  const body = JSON.stringify({ token: 'legacy-verification-token', challenge, type: 'url_verification' });
  return deliver(url, secret, body, 'application/json', signing);
}

// Bolt compares the content type with `===`: a `; charset=UTF-8` suffix (what fetch adds for a
// URLSearchParams body) would make it parse the form as JSON and answer 400. Slack sends it bare.
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
const STALE_AGE_SECONDS = 6 * 60;

function formEncode(fields: Record<string, string>): string {
  // URLSearchParams encodes spaces as '+', as Slack's form bodies do; querystring.parse in Bolt reads both.
  return new URLSearchParams(fields).toString();
}

async function deliver(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  signing: SigningOptions,
  extraHeaders: Record<string, string> = {},
): Promise<SlackDelivery> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const timestampSeconds = signing.timestampSeconds ?? (signing.staleTimestamp ? nowSeconds - STALE_AGE_SECONDS : nowSeconds);
  const signingSecret = signing.badSignature ? `${secret}-forged` : secret;
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': contentType,
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'X-Slack-Request-Timestamp': String(timestampSeconds),
      'X-Slack-Signature': slackSignature(signingSecret, timestampSeconds, body),
      ...extraHeaders,
    },
    body,
  });
  const text = await response.text();
  const elapsedMilliseconds = performance.now() - started;
  return { status: response.status, body: parseAnswer(text), headers: Object.fromEntries(response.headers.entries()), elapsedMilliseconds };
}

function parseAnswer(text: string): unknown {
  if (text.length === 0) return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
