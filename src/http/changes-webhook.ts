import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ChangeEventSink, ChangeEventWrite } from '../alerts/change-event.js';
import { parseChangeEvents, type ParsedChanges } from '../alerts/change-payload.js';
import type { Catalogue } from '../catalogue.js';
import { AiopsError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ChangeWebhookOutcome, Metrics } from '../telemetry/metrics.js';
import { readBody, type Body } from './read-body.js';
import { bearerMatches, isJsonContentType, refuseTooLarge, withinDeadline } from './webhook-request.js';

export interface ChangesWebhookOptions {
  catalogue: Catalogue;
  /** Requests must carry `Authorization: Bearer <token>`. Absent, every delivery is refused with a 403: there is no open mode. */
  token?: string;
  /** Where parsed events are written; resolves once they are stored, so a 200 means nothing is lost. */
  sink: ChangeEventSink;
  /** The sources' clock: the time of an event whose sender gave none. */
  now: () => number;
  /** Where deliveries are counted by outcome, and events by what became of them, for /metrics. */
  metrics?: Pick<Metrics, 'changeWebhookDelivery'>;
  /** Where refusals worth an operator's eye and failures are told, one line each; nowhere when absent. */
  logger?: Logger;
  /** The largest body taken, bytes. Default 1 MiB. */
  maximumBodyBytes?: number;
  /** A delivery whose events are not stored within this gets a 503, ms. Default 5 000. */
  storeDeadlineMilliseconds?: number;
}

/**
 * A GitHub deployment_status event is 10-20 kB (it carries the repository), and a thousand generic
 * events under 1 MB: 1 MiB takes any honest delivery and bounds what a client can make us hold.
 */
export const MAXIMUM_CHANGE_BODY_BYTES = 1024 * 1024;
const DEFAULT_STORE_DEADLINE_MILLISECONDS = 5_000;

const TOKEN_REQUIRED_ERROR = 'CHANGES_WEBHOOK_TOKEN: not set, so every delivery is refused; set it and send it as a bearer token';

/**
 * `POST /webhooks/changes`: deploy and configuration changes from CI/CD (the generic shape, a
 * GitHub deployment_status event, the README's Argo CD notification), stored per service as
 * evidence. Closed without a token (403); a wrong or missing bearer gets a 401, a body that is
 * not `application/json` a 415, one over the limit a 413, a malformed one a 400 and a service the
 * catalogue does not hold a 422, each with one line naming the field; nothing is stored then. The
 * 200 comes once every event is stored; a redelivery (same id, or the same content) stores nothing
 * new and is answered 200 as well, so a sender's retries are harmless. Not stored in time: 503.
 */
export function changesWebhook(options: ChangesWebhookOptions): RequestListener {
  return (request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      options.logger?.error({ error: (error as Error).message }, 'changes webhook: delivery failed unexpectedly (500)');
      options.metrics?.changeWebhookDelivery('error');
      if (response.headersSent) return void response.destroy();
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'internal error; see the bot log' }));
    });
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ChangesWebhookOptions): Promise<void> {
  const reply = (status: number, outcome: ChangeWebhookOutcome, body: Record<string, unknown>, written?: ChangeEventWrite) => {
    options.metrics?.changeWebhookDelivery(outcome, written);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method !== 'POST') return reply(405, 'wrong_method', { error: 'method: expected POST' });
  if (options.token === undefined) return reply(403, 'unauthorized', { error: TOKEN_REQUIRED_ERROR });
  if (!bearerMatches(request.headers.authorization, options.token)) return reply(401, 'unauthorized', { error: 'authorization: expected the configured bearer token' });
  const contentType = request.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    return reply(415, 'unsupported_media_type', { error: `content-type: expected application/json, ${contentType === undefined ? 'none given' : `not ${JSON.stringify(contentType)}`}` });
  }
  const limit = options.maximumBodyBytes ?? MAXIMUM_CHANGE_BODY_BYTES;
  let body: Body;
  try {
    body = await readBody(request, limit);
  } catch (error) {
    options.logger?.warn({ error: (error as Error).message }, 'changes webhook: body not received');
    return void response.destroy();
  }
  if (body.tooLarge) {
    options.logger?.warn({ bytes: body.bytes, limit, remoteAddress: request.socket.remoteAddress }, `changes webhook: body of ${body.bytes} bytes or more refused (413), over the ${limit}-byte limit`);
    options.metrics?.changeWebhookDelivery('too_large');
    return refuseTooLarge(request, response, `body: expected at most ${limit} bytes; send fewer events per delivery`);
  }
  let parsed: ParsedChanges;
  try {
    parsed = parseChangeEvents(parseJson(body.text), options.catalogue, options.now());
  } catch (error) {
    if (error instanceof AiopsError && error.code === ErrorCode.InputInvalid) return reply(400, 'invalid', { error: error.message });
    if (error instanceof AiopsError && error.code === ErrorCode.NotFound) {
      // Well formed but unfiled: usually a pipeline or application named otherwise than the catalogue, worth a line in the log.
      options.logger?.warn({ error: error.message, remoteAddress: request.socket.remoteAddress }, 'changes webhook: change to a service the catalogue does not hold refused (422)');
      return reply(422, 'unknown_service', { error: error.message });
    }
    throw error;
  }
  if (parsed.events.length === 0) return reply(200, 'ignored', { accepted: 0, stored: 0, duplicates: 0, ignored: parsed.ignored });
  let written: ChangeEventWrite;
  try {
    written = await withinDeadline(options.sink.record(parsed.events), options.storeDeadlineMilliseconds ?? DEFAULT_STORE_DEADLINE_MILLISECONDS);
  } catch (error) {
    // Maybe stored after all: the retry is then a duplicate, which changes nothing.
    options.logger?.warn({ events: parsed.events.length, error: (error as Error).message }, 'changes webhook: events not stored (503); the sender should retry');
    return reply(503, 'unavailable', { error: 'could not store the change events now; retry later' });
  }
  options.logger?.info(
    { services: [...new Set(parsed.events.map((event) => event.service))], stored: written.stored, duplicates: written.duplicates, expired: written.expired },
    `changes webhook: ${written.stored} change event(s) stored`,
  );
  reply(200, 'accepted', { accepted: parsed.events.length, ...written, ids: parsed.events.map((event) => event.id), ignored: parsed.ignored }, written);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AiopsError(ErrorCode.InputInvalid, 'body: expected JSON (a change event, an array of them, a GitHub deployment_status event or an Argo CD notification)');
  }
}
