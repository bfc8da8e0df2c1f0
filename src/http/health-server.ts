import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AiopsError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../telemetry/metrics.js';

export interface HealthServerOptions {
  port: number;
  /** The address to listen on (BIND_ADDRESS): 127.0.0.1 for this machine only, 0.0.0.0 for every interface. */
  host: string;
  /** What /healthz reports besides `status: ok`. */
  status: () => Record<string, unknown>;
  /** Other handlers by path prefix, e.g. `/slack/` for Slack's HTTP events. */
  routes?: Array<{ pathPrefix: string; listener: RequestListener }>;
  /** What `GET /metrics` serves (Prometheus's text exposition format); absent, /metrics is 404. */
  metrics?: Pick<Metrics, 'contentType' | 'render'>;
  /** What `GET /readyz` checks, by dependency; absent, the process is ready once it listens. */
  readiness?: () => Promise<Record<string, DependencyState>>;
  /** Where a failure behind a response is told; the response itself names no internals. */
  logger?: Logger;
}

/** Whether a dependency can be used now, as /readyz reports it. */
export interface DependencyState {
  ok: boolean;
  /** Why not, or what was checked: shown to anyone who can reach the port, so a short state, never an error's text. */
  detail?: string;
  /** False: reported, but a failure does not make the process unready. Default true. */
  required?: boolean;
}

/** /readyz answers 503 when its checks take longer than this, ms (a probe's own timeout is longer). */
const READINESS_DEADLINE_MILLISECONDS = 3_000;

export interface RunningServer {
  server: Server;
  port: number;
  /** The address it listens on, as bound. */
  address: string;
  close(): Promise<void>;
}

/**
 * The process's one HTTP endpoint: /healthz, /readyz, /metrics, and Slack's events in HTTP mode
 * (webhooks mount here too). /healthz is liveness: it answers while the process runs, whatever its
 * dependencies do (restarting the process would not bring Redis back). /readyz is readiness: 503
 * while a required dependency (Redis) cannot be used, so traffic goes to replicas that can store it.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<RunningServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', ...options.status() }));
      return;
    }
    if (request.method === 'GET' && path === '/readyz') {
      serveReadiness(options.readiness, response);
      return;
    }
    if (request.method === 'GET' && path === '/metrics' && options.metrics) {
      serveMetrics(options.metrics, response, options.logger);
      return;
    }
    const route = options.routes?.find((candidate) => path?.startsWith(candidate.pathPrefix));
    if (route) {
      route.listener(request, response);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: `no route for ${request.method} ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRNOTAVAIL') {
        reject(new AiopsError(ErrorCode.ConfigInvalid, `BIND_ADDRESS: ${options.host} is not an address of this machine; expected one of its addresses, 127.0.0.1 or 0.0.0.0`));
        return;
      }
      const reason = error.code === 'EADDRINUSE' ? `port ${options.port} is already in use; set PORT to a free port` : error.message;
      reject(new AiopsError(ErrorCode.ConfigInvalid, `PORT: ${reason}`));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    server,
    port: bound.port,
    address: bound.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function serveReadiness(readiness: HealthServerOptions['readiness'], response: ServerResponse): void {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`checks took over ${READINESS_DEADLINE_MILLISECONDS} ms`)), READINESS_DEADLINE_MILLISECONDS);
  });
  const checks: Promise<Record<string, DependencyState>> = readiness?.() ?? Promise.resolve({});
  Promise.race([checks, deadline])
    .then(
      (checks) => ({ ready: Object.values(checks).every((check) => check.ok || check.required === false), body: checks }),
      (error: unknown) => ({ ready: false, body: { checks: { ok: false, detail: (error as Error).message } } }),
    )
    .then(({ ready, body }) => {
      clearTimeout(timer);
      response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: ready ? 'ready' : 'not ready', ...body }));
    });
}

function serveMetrics(metrics: Pick<Metrics, 'contentType' | 'render'>, response: ServerResponse, logger: Logger | undefined): void {
  metrics.render().then(
    (text) => {
      response.writeHead(200, { 'content-type': metrics.contentType });
      response.end(text);
    },
    (error: unknown) => {
      logger?.error({ error: (error as Error).message }, 'GET /metrics: the metrics could not be rendered (500)');
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('metrics: could not be rendered; see the bot log\n');
    },
  );
}

/**
 * A dependency's state as /readyz may show it: ok or not, and `unavailable` (a fixed text) when
 * not, since the reason (a Redis host and port, a proxy's name) is for the log, not for whoever
 * can reach the port.
 */
export function publicDependencyState(state: DependencyState, unavailable: string): DependencyState {
  return { ok: state.ok, ...(state.ok ? {} : { detail: unavailable }), ...(state.required === undefined ? {} : { required: state.required }) };
}
