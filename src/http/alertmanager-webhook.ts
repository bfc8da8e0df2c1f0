import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Alert } from '../alerts/alert.js';
import { parseAlertmanagerWebhook } from '../alerts/alertmanager.js';
import type { Catalogue } from '../catalogue.js';
import { AiopsError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics, WebhookOutcome } from '../telemetry/metrics.js';
import { readBody, type Body } from './read-body.js';
import { bearerMatches, refuseTooLarge, withinDeadline } from './webhook-request.js';

export interface AlertmanagerWebhookOptions {
  catalogue: Catalogue;
  /**
   * Requests must carry `Authorization: Bearer <token>` (Alertmanager's `http_config.authorization`).
   * Absent, every delivery is refused with a 403, unless allowUnauthenticated says otherwise.
   */
  token?: string;
  /** Without a token, take deliveries from anyone who can reach the port. Default false. */
  allowUnauthenticated?: boolean;
  /** Where parsed alerts go; resolves once they are stored, so a 200 means nothing is lost. */
  ingest: (alerts: Alert[]) => Promise<unknown>;
  now: () => number;
  /** Where deliveries are counted by outcome, and accepted alerts by status, for /metrics. */
  metrics?: Pick<Metrics, 'webhookDelivery'>;
  /** Where refused bodies and failures are told, one line each; nowhere when absent. */
  logger?: Logger;
  /** The largest body taken, bytes. Default 32 MiB. */
  maximumBodyBytes?: number;
  /** A delivery whose alerts are not stored within this gets a 503, ms. Default 5 000. */
  storeDeadlineMilliseconds?: number;
}

/**
 * 1,000 kube-prometheus alerts are about 1.1 MB, and a storm with `max_alerts` unset sends them
 * all in one notification: 32 MiB takes tens of thousands and still bounds what a client can make us hold.
 */
export const MAXIMUM_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_STORE_DEADLINE_MILLISECONDS = 5_000;

/** What a delivery gets while no token is set and the webhook is not explicitly opened. */
const TOKEN_REQUIRED_ERROR =
  'ALERTMANAGER_WEBHOOK_TOKEN: not set, so every delivery is refused; set it and send it as a bearer token, or set ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED=true to accept anyone';

/**
 * `POST /webhooks/alertmanager`: translates an Alertmanager webhook (payload version 4) into
 * alerts for the incident intake. Closed by default: without a token it answers 403, with one a
 * wrong or missing bearer gets a 401. A malformed payload gets a 400 with one line naming the problem and
 * nothing is stored; the 200 comes only after every alert is stored, so Alertmanager retries
 * whatever we failed to take. Alerts not stored in time (Redis gone or hanging) get a 503, a body
 * over the limit a 413, an unexpected failure a 500; each of these is logged in one line, and
 * their bodies say what happened without the internal reason (hosts, stacks), which the log keeps.
 */
export function alertmanagerWebhook(options: AlertmanagerWebhookOptions): RequestListener {
  return (request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      options.logger?.error({ error: (error as Error).message }, 'alertmanager webhook: delivery failed unexpectedly (500)');
      options.metrics?.webhookDelivery('error');
      if (response.headersSent) return void response.destroy();
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'internal error; see the bot log' }));
    });
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: AlertmanagerWebhookOptions): Promise<void> {
  const reply = (status: number, outcome: WebhookOutcome, body: Record<string, unknown>, alerts: Alert[] = []) => {
    options.metrics?.webhookDelivery(outcome, alerts);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method !== 'POST') return reply(405, 'wrong_method', { error: 'method: expected POST' });
  if (options.token === undefined) {
    if (options.allowUnauthenticated !== true) return reply(403, 'unauthorized', { error: TOKEN_REQUIRED_ERROR });
  } else if (!bearerMatches(request.headers.authorization, options.token)) {
    return reply(401, 'unauthorized', { error: 'authorization: expected the configured bearer token' });
  }
  const limit = options.maximumBodyBytes ?? MAXIMUM_BODY_BYTES;
  let body: Body;
  try {
    body = await readBody(request, limit);
  } catch (error) {
    options.logger?.warn({ error: (error as Error).message }, 'alertmanager webhook: body not received');
    return void response.destroy();
  }
  if (body.tooLarge) return refuseTooLargeDelivery(request, response, body.bytes, limit, options);
  let alerts: Alert[];
  const untrustedFingerprints: string[] = [];
  try {
    alerts = parseAlertmanagerWebhook(parseJson(body.text), options.catalogue, options.now(), untrustedFingerprints);
  } catch (error) {
    if (error instanceof AiopsError && error.code === ErrorCode.InputInvalid) return reply(400, 'invalid', { error: error.message });
    options.logger?.error({ error: (error as Error).message }, 'alertmanager webhook: payload could not be read (500)');
    return reply(500, 'error', { error: 'internal error reading the payload; see the bot log' });
  }
  if (untrustedFingerprints.length > 0) {
    options.logger?.warn(
      { alerts: untrustedFingerprints.length, fingerprints: untrustedFingerprints.slice(0, 5), remoteAddress: request.socket.remoteAddress },
      `alertmanager webhook: ${untrustedFingerprints.length} alert(s) named a fingerprint of the bot's own detectors; identified by their labels instead, so they cannot end or change a detector's alert`,
    );
  }
  try {
    await withinDeadline(options.ingest(alerts), options.storeDeadlineMilliseconds ?? DEFAULT_STORE_DEADLINE_MILLISECONDS);
  } catch (error) {
    // Maybe stored after all: the retry is then a duplicate, and what was stored is marked for Slack already.
    options.logger?.warn({ alerts: alerts.length, error: (error as Error).message }, 'alertmanager webhook: alerts not stored (503); Alertmanager will retry');
    return reply(503, 'unavailable', { error: 'could not store the alerts now; retry later' });
  }
  reply(200, 'accepted', { accepted: alerts.length }, alerts);
}

/** The 413 (see refuseTooLarge), logged and counted. */
function refuseTooLargeDelivery(request: IncomingMessage, response: ServerResponse, bytes: number, limit: number, options: AlertmanagerWebhookOptions): void {
  options.logger?.warn(
    { bytes, limit, remoteAddress: request.socket.remoteAddress },
    `alertmanager webhook: body of ${bytes} bytes or more refused (413), over the ${limit}-byte limit; set max_alerts on the Alertmanager receiver`,
  );
  options.metrics?.webhookDelivery('too_large');
  refuseTooLarge(request, response, `body: expected at most ${limit} bytes; set max_alerts on the Alertmanager receiver`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AiopsError(ErrorCode.InputInvalid, 'body: expected JSON (an Alertmanager webhook payload)');
  }
}
