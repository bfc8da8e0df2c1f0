import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Alert } from '../alerts/alert.js';
import { parseAlertmanagerWebhook } from '../alerts/alertmanager.js';
import type { Catalogue } from '../catalogue.js';
import { AiopsError, ErrorCode } from '../errors.js';
import type { Metrics, WebhookOutcome } from '../telemetry/metrics.js';

export interface AlertmanagerWebhookOptions {
  catalogue: Catalogue;
  /** When set, requests must carry `Authorization: Bearer <token>` (Alertmanager's `http_config.authorization`). */
  token?: string;
  /** Where parsed alerts go; resolves once they are stored, so a 200 means nothing is lost. */
  ingest: (alerts: Alert[]) => Promise<void>;
  now: () => number;
  /** Where deliveries are counted by outcome, and accepted alerts by status, for /metrics. */
  metrics?: Pick<Metrics, 'webhookDelivery'>;
}

/** Alertmanager payloads are small; anything bigger is a mistake or an attack. */
const MAXIMUM_BODY_BYTES = 1024 * 1024;

/**
 * `POST /webhooks/alertmanager`: translates an Alertmanager webhook (payload version 4) into
 * alerts for the pipeline. A malformed payload gets a 400 with one line naming the problem and
 * nothing is stored; the 200 comes only after every alert is stored, so Alertmanager retries
 * whatever we failed to take.
 */
export function alertmanagerWebhook(options: AlertmanagerWebhookOptions): RequestListener {
  return (request, response) => {
    void handle(request, response, options);
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: AlertmanagerWebhookOptions): Promise<void> {
  const reply = (status: number, outcome: WebhookOutcome, body: Record<string, unknown>, alerts: Alert[] = []) => {
    options.metrics?.webhookDelivery(outcome, alerts);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method !== 'POST') return reply(405, 'wrong_method', { error: 'method: expected POST' });
  if (options.token !== undefined && !bearerMatches(request.headers.authorization, options.token)) {
    return reply(401, 'unauthorized', { error: 'authorization: expected the configured bearer token' });
  }
  let text: string;
  try {
    text = await readBody(request);
  } catch (error) {
    return reply(413, 'too_large', { error: (error as Error).message });
  }
  let alerts: Alert[];
  try {
    alerts = parseAlertmanagerWebhook(parseJson(text), options.catalogue, options.now());
  } catch (error) {
    if (error instanceof AiopsError && error.code === ErrorCode.InputInvalid) return reply(400, 'invalid', { error: error.message });
    throw error;
  }
  try {
    await options.ingest(alerts);
  } catch (error) {
    return reply(503, 'unavailable', { error: `could not store the alerts, retry: ${(error as Error).message}` });
  }
  reply(200, 'accepted', { accepted: alerts.length }, alerts);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AiopsError(ErrorCode.InputInvalid, 'body: expected JSON (an Alertmanager webhook payload)');
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAXIMUM_BODY_BYTES) {
        reject(new Error(`body: expected at most ${MAXIMUM_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
