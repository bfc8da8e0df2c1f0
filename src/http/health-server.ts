import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AiopsError, ErrorCode } from '../errors.js';

export interface HealthServerOptions {
  port: number;
  /** Host to bind (default all interfaces: the pod's probes come from outside the container). */
  host?: string;
  /** What /healthz reports besides `status: ok`. */
  status: () => Record<string, unknown>;
  /** Other handlers by path prefix, e.g. `/slack/` for Slack's HTTP events. */
  routes?: Array<{ pathPrefix: string; listener: RequestListener }>;
}

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** The process's one HTTP endpoint: /healthz, and Slack's events in HTTP mode (webhooks mount here too). */
export async function startHealthServer(options: HealthServerOptions): Promise<RunningServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', ...options.status() }));
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
      const reason = error.code === 'EADDRINUSE' ? `port ${options.port} is already in use; set PORT to a free port` : error.message;
      reject(new AiopsError(ErrorCode.ConfigInvalid, `PORT: ${reason}`));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
