import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord, readRaw } from './http-body.js';

/** One request either fake pager took, in arrival order. */
export interface PagerCall {
  service: 'pagerduty' | 'opsgenie';
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** The status it was answered with. */
  status: number;
}

/** A page as the fake keeps it: PagerDuty's incident by dedup_key, Opsgenie's alert by alias. */
export interface FakePage {
  key: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** How many times a trigger (or create) for it arrived while it was open: deduplicated, not paged again. */
  deduplicated: number;
}

export interface FakePagers {
  /** PagerDuty's Events API v2 enqueue URL on this fake. */
  pagerDutyUrl: string;
  /** Opsgenie's API base URL on this fake. */
  opsgenieUrl: string;
  readonly routingKey: string;
  readonly genieKey: string;
  calls(service?: PagerCall['service']): PagerCall[];
  /** Pages that woke someone: each trigger of a key not open at the time (a new incident or alert). */
  pagesSent(service: PagerCall['service']): number;
  page(service: PagerCall['service'], key: string): FakePage | undefined;
  /** Answers the next `count` requests to `service` with `status` (and headers) instead of handling them. */
  failNext(service: PagerCall['service'], count: number, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

const PAGERDUTY_ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const PAGERDUTY_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/**
 * PagerDuty's Events API v2 (`POST /v2/enqueue`) and Opsgenie's Alert API (`POST /v2/alerts`,
 * `POST /v2/alerts/<alias>/acknowledge|close?identifierType=alias`) on one local HTTP server,
 * with the behaviour the bot relies on: a routing key or GenieKey checked (400 / 401), events
 * validated as the real services validate them (a trigger needs summary, source and a known
 * severity; 400 otherwise), a trigger for an open key deduplicated rather than paged again, and
 * acknowledging or closing an Opsgenie alias it does not know answered 404.
 */
export async function startFakePagers(): Promise<FakePagers> {
  const routingKey = 'R0UTINGKEY0123456789abcdef012345';
  const genieKey = 'eb243592-faa2-4ba2-a551-1afdf565c889';
  const calls: PagerCall[] = [];
  const pages = { pagerduty: new Map<string, FakePage>(), opsgenie: new Map<string, FakePage>() };
  const sent = { pagerduty: 0, opsgenie: 0 };
  const failures: Record<PagerCall['service'], Array<{ status: number; headers: Record<string, string> }>> = { pagerduty: [], opsgenie: [] };

  const trigger = (service: PagerCall['service'], key: string) => {
    const page = pages[service].get(key);
    if (page && page.status !== 'resolved') return void (page.deduplicated += 1);
    pages[service].set(key, { key, status: 'triggered', deduplicated: 0 });
    sent[service] += 1;
  };

  const pagerDuty = (body: Record<string, unknown>): [number, unknown] => {
    if (body.routing_key !== routingKey) return [400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] }];
    const action = String(body.event_action);
    if (!PAGERDUTY_ACTIONS.has(action)) return [400, { status: 'invalid event', message: 'Event object is invalid', errors: ["'event_action' is invalid"] }];
    const key = typeof body.dedup_key === 'string' ? body.dedup_key : undefined;
    if (action !== 'trigger' && !key) return [400, { status: 'invalid event', message: 'Event object is invalid', errors: ["'dedup_key' is missing"] }];
    if (action === 'trigger') {
      const payload = isRecord(body.payload) ? body.payload : {};
      const summary = payload.summary;
      if (typeof summary !== 'string' || summary.length === 0 || summary.length > 1024) return [400, { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is invalid"] }];
      if (typeof payload.source !== 'string' || !PAGERDUTY_SEVERITIES.has(String(payload.severity))) return [400, { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload' is invalid"] }];
      trigger('pagerduty', key!);
    } else {
      const page = pages.pagerduty.get(key!);
      // PagerDuty drops an acknowledge or resolve for a key it has no open incident for, and still answers 202.
      if (page && page.status !== 'resolved') page.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    return [202, { status: 'success', message: 'Event processed', dedup_key: key }];
  };

  const opsgenie = (path: string, headers: IncomingMessage['headers'], body: Record<string, unknown>): [number, unknown] => {
    if (headers.authorization !== `GenieKey ${genieKey}`) return [401, { message: 'Could not authenticate', took: 0, requestId: 'fake' }];
    if (path === '/v2/alerts') {
      const message = body.message;
      if (typeof message !== 'string' || message.length === 0 || message.length > 130) return [422, { message: 'Message can not be empty or longer than 130 characters', took: 0 }];
      if (typeof body.alias !== 'string' || body.alias.length > 512) return [422, { message: 'Alias can not be longer than 512 characters', took: 0 }];
      trigger('opsgenie', body.alias);
      return [202, { result: 'Request will be processed', took: 0.1, requestId: 'fake-create' }];
    }
    const match = /^\/v2\/alerts\/([^/]+)\/(acknowledge|close)\?identifierType=alias$/.exec(path);
    if (!match) return [404, { message: `no route ${path}` }];
    const page = pages.opsgenie.get(decodeURIComponent(match[1]!));
    if (!page) return [404, { message: 'Alert does not exist', took: 0 }];
    if (page.status !== 'resolved') page.status = match[2] === 'acknowledge' ? 'acknowledged' : 'resolved';
    return [202, { result: 'Request will be processed', took: 0.1, requestId: `fake-${match[2]}` }];
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void readRaw(request).then((raw) => {
      const path = request.url ?? '/';
      const service: PagerCall['service'] = path.startsWith('/pagerduty/') ? 'pagerduty' : 'opsgenie';
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8') || '{}');
        if (isRecord(parsed)) body = parsed;
      } catch {
        body = {};
      }
      const failure = failures[service].shift();
      const [status, answer] = failure
        ? [failure.status, { message: 'injected failure' }]
        : service === 'pagerduty'
          ? path === '/pagerduty/v2/enqueue' && request.method === 'POST'
            ? pagerDuty(body)
            : [404, { message: 'not found' }]
          : request.method === 'POST'
            ? opsgenie(path.replace(/^\/opsgenie/, ''), request.headers, body)
            : [405, { message: 'method not allowed' }];
      calls.push({ service, method: request.method ?? 'GET', path, headers: request.headers, body, status });
      response.writeHead(status, { 'content-type': 'application/json', ...failure?.headers });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    pagerDutyUrl: `${base}/pagerduty/v2/enqueue`,
    opsgenieUrl: `${base}/opsgenie`,
    routingKey,
    genieKey,
    calls: (service) => calls.filter((call) => service === undefined || call.service === service),
    pagesSent: (service) => sent[service],
    page: (service, key) => pages[service].get(key),
    failNext: (service, count, status, headers = {}) => {
      for (let index = 0; index < count; index += 1) failures[service].push({ status, headers });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
