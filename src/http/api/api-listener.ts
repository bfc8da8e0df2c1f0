import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ApiToken } from '../../api-tokens.js';
import type { Logger } from '../../logger.js';
import { readBody } from '../read-body.js';
import { isJsonContentType } from '../webhook-request.js';
import { ApiError } from './api-error.js';
import { jsonObject } from './api-request.js';
import { methodNotAllowed, type ApiRoute } from './api-routes.js';
import { openApiDocument } from './openapi.js';

export const API_PREFIX = '/api/v1';
/** Bodies are a question or a silence's reason: a few kilobytes at most. */
const MAXIMUM_BODY_BYTES = 64 * 1024;

export interface ApiListenerOptions {
  routes: readonly ApiRoute[];
  /** The clients (AIOPS_API_TOKENS); none, every request but the OpenAPI document is refused with 403. */
  tokens: readonly ApiToken[];
  logger: Logger;
  /** Where answered requests are counted, by route and status. */
  counted?: (route: string, status: number) => void;
}

interface MatchedRoute {
  route: ApiRoute;
  parameters: Record<string, string>;
}

/**
 * `/api/v1`: the HTTP API over the same use cases as Slack. Bearer tokens from AIOPS_API_TOKENS
 * with a scope each (`read`: GET; `write`: also the POSTs that act); a missing or unknown token
 * gets 401, a read token that tries to act 403; every refusal is one JSON line `{"error": …}`
 * naming the field and what was expected. `GET /api/v1/openapi.json` describes it all, without a token.
 */
export function apiListener(options: ApiListenerOptions): RequestListener {
  const compiled = options.routes.map((route) => ({ route, pattern: new RegExp(`^${API_PREFIX}${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`) }));
  const document = JSON.stringify(openApiDocument(options.routes));
  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof ApiError) return reply(response, error.status, { error: error.message }, error.headers);
      options.logger.error({ method: request.method, path: request.url?.split('?')[0], error: (error as Error).message }, 'API request failed unexpectedly (500)');
      reply(response, 500, { error: 'internal error; see the bot log' });
    });
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://api.invalid');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === `${API_PREFIX}/openapi.json`) {
      if (request.method !== 'GET') throw methodNotAllowed(['GET']);
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(document);
    }
    const matched = match(path, request.method ?? 'GET');
    const client = authenticate(request.headers.authorization);
    if (matched.route.scope === 'write' && client.scope !== 'write') throw new ApiError(403, `authorization: token "${client.name}" may read only; ${matched.route.method} ${API_PREFIX}${matched.route.path} needs a write token`);
    let body: Record<string, unknown> = {};
    if (request.method === 'POST') body = await readJsonBody(request);
    const result = await matched.route.handle({ parameters: matched.parameters, query: url.searchParams, body, client: client.name });
    options.counted?.(matched.route.path, result.status);
    reply(response, result.status, result.body, result.headers);
  }

  function match(path: string, method: string): MatchedRoute {
    const candidates = compiled.flatMap(({ route, pattern }) => {
      const found = pattern.exec(path);
      return found ? [{ route, parameters: Object.fromEntries(Object.entries(found.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)])) }] : [];
    });
    if (candidates.length === 0) throw new ApiError(404, `path: no route ${path.slice(0, 120)}; GET ${API_PREFIX}/openapi.json lists them`);
    const found = candidates.find((candidate) => candidate.route.method === method);
    if (!found) throw methodNotAllowed([...new Set(candidates.map((candidate) => candidate.route.method))]);
    return found;
  }

  function authenticate(header: string | undefined): ApiToken {
    if (options.tokens.length === 0) throw new ApiError(403, 'AIOPS_API_TOKENS: not set, so the API refuses every request; give each client a name:read|write:token entry');
    const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const presented = bearer ? Buffer.from(bearer[1]!) : undefined;
    // Every token compared, in constant time each: which one matched leaks nothing through timing.
    let client: ApiToken | undefined;
    for (const token of options.tokens) {
      const expected = Buffer.from(token.token);
      if (presented && presented.length === expected.length && timingSafeEqual(presented, expected)) client = token;
    }
    if (!client) throw new ApiError(401, 'authorization: expected Bearer and a token from AIOPS_API_TOKENS', { 'www-authenticate': 'Bearer realm="aiops"' });
    return client;
  }
}

async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'];
  const declared = Number(request.headers['content-length'] ?? 0);
  if (type !== undefined && !isJsonContentType(type)) throw new ApiError(415, `content-type: expected application/json, got ${type.slice(0, 60)}`);
  if (type === undefined && declared > 0) throw new ApiError(415, 'content-type: expected application/json');
  const body = await readBody(request, MAXIMUM_BODY_BYTES);
  if (body.tooLarge) {
    request.resume();
    throw new ApiError(413, `body: expected at most ${MAXIMUM_BODY_BYTES} bytes`, { connection: 'close' });
  }
  return jsonObject(body.text);
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
