import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { SLACK_TEAM } from './slack-signer.js';

/**
 * A local Socket Mode endpoint speaking what @slack/socket-mode 3 expects: `hello` on connect,
 * envelopes the client must ack with `{ envelope_id, payload }`, ping/pong both ways and
 * `disconnect` requests. Clients reach it only through a URL that `apps.connections.open`
 * handed out (one ticket per connection, as Slack's `wss://…/link/?ticket=…` URLs work), so a
 * test also proves the client asked the Web API first.
 */

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface FakeSocketModeOptions {
  /** `connection_info.app_id` in `hello`. */
  appId?: string;
  /** How often the server pings each client, as Slack does; 0 turns server pings off. Default 5000. */
  pingIntervalMilliseconds?: number;
  /** How long `sendEnvelope` waits for the ack before rejecting. Default 5000 (Slack gives up after 3 s). */
  ackTimeoutMilliseconds?: number;
}

export interface EnvelopeOptions {
  /** Default: true for slash commands (the ack body becomes the command's reply), false otherwise. */
  acceptsResponsePayload?: boolean;
  /** events_api only: 0 for a first delivery. */
  retryAttempt?: number;
  /** events_api only: '' for a first delivery, e.g. 'timeout' for a redelivery. */
  retryReason?: string;
  timeoutMilliseconds?: number;
}

export interface SocketModeAck {
  envelopeId: string;
  /** The ack's `payload` (the client always sends one, `{}` when the listener acked with nothing). */
  payload: Record<string, unknown> | undefined;
  /** From sending the envelope to receiving its ack. */
  elapsedMilliseconds: number;
}

export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface FakeSocketMode {
  /** `ws://127.0.0.1:<port>`, without a ticket: connecting there is refused. */
  baseUrl: string;
  /** Issues a fresh single-use connection URL; the Web API fake calls this for `apps.connections.open`. */
  issueConnectionUrl(): string;
  /** Resolves once the first client has been greeted with `hello`. */
  connected: Promise<void>;
  /** Resolves once `count` connections in total have been greeted (1 = the first, 2 = a reconnect, ...). */
  waitForConnections(count: number, timeoutMilliseconds?: number): Promise<void>;
  /** Connections greeted so far, including closed ones. */
  readonly connectionsMade: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** Pings the clients sent us (the client's heartbeat), and pongs they answered to ours. */
  readonly clientPings: number;
  readonly pongsReceived: number;
  /** Every message the clients sent, parsed. */
  received: unknown[];
  /** Sends an envelope to the newest open connection and resolves with its ack. */
  sendEnvelope(type: EnvelopeType, payload: Record<string, unknown>, options?: EnvelopeOptions): Promise<SocketModeAck>;
  /** Asks the clients to reconnect, as Slack does before recycling a server. */
  sendDisconnect(reason?: DisconnectReason): void;
  close(): Promise<void>;
}

interface PendingAck {
  type: EnvelopeType;
  sentAt: number;
  resolve(ack: SocketModeAck): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export async function startFakeSocketMode(options: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const settings = { appId: SLACK_TEAM.apiAppId, pingIntervalMilliseconds: 5000, ackTimeoutMilliseconds: 5000, ...options };
  const issuedTickets = new Set<string>();
  const sockets: WebSocket[] = [];
  const pending = new Map<string, PendingAck>();
  const connectionWaiters: { count: number; resolve(): void }[] = [];
  const received: unknown[] = [];
  const counters = { connectionsMade: 0, clientPings: 0, pongsReceived: 0 };

  const httpServer = createServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain' }).end('Upgrade Required');
  });
  const webSocketServer = new WebSocketServer({ noServer: true });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const ticket = new URL(request.url ?? '/', 'ws://fake').searchParams.get('ticket');
    // A ticket is good for one connection, like Slack's: reconnecting means calling apps.connections.open again.
    if (ticket === null || !issuedTickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => greet(webSocket));
  });

  function greet(webSocket: WebSocket): void {
    sockets.push(webSocket);
    counters.connectionsMade += 1;
    webSocket.on('ping', () => (counters.clientPings += 1));
    webSocket.on('pong', () => (counters.pongsReceived += 1));
    webSocket.on('message', (data: RawData, isBinary: boolean) => receive(data, isBinary));
    webSocket.on('close', () => removeFrom(sockets, webSocket));
    const pinger =
      settings.pingIntervalMilliseconds > 0 ? setInterval(() => webSocket.ping(`ping-${Date.now()}`), settings.pingIntervalMilliseconds) : undefined;
    pinger?.unref();
    webSocket.on('close', () => clearInterval(pinger));
    webSocket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.length,
        debug_info: { host: `applink-fake-${counters.connectionsMade}`, build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: settings.appId },
      }),
    );
    for (const waiter of connectionWaiters.filter((candidate) => candidate.count <= counters.connectionsMade)) {
      removeFrom(connectionWaiters, waiter);
      waiter.resolve();
    }
  }

  function receive(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(rawText(data)) as unknown;
    } catch {
      received.push(rawText(data));
      return;
    }
    received.push(message);
    if (typeof message !== 'object' || message === null || !('envelope_id' in message)) return;
    const envelopeId = String(message.envelope_id);
    const waiting = pending.get(envelopeId);
    if (!waiting) return;
    pending.delete(envelopeId);
    clearTimeout(waiting.timer);
    const payload = 'payload' in message && typeof message.payload === 'object' && message.payload !== null ? (message.payload as Record<string, unknown>) : undefined;
    waiting.resolve({ envelopeId, payload, elapsedMilliseconds: performance.now() - waiting.sentAt });
  }

  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const baseUrl = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

  function waitForConnections(count: number, timeoutMilliseconds = 10_000): Promise<void> {
    if (counters.connectionsMade >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        removeFrom(connectionWaiters, waiter);
        reject(new Error(`Socket Mode: waited ${timeoutMilliseconds} ms for connection ${count}, ${counters.connectionsMade} made (${issuedTickets.size} URLs issued but unused)`));
      }, timeoutMilliseconds);
      const waiter = { count, resolve: () => (clearTimeout(timer), resolve()) };
      connectionWaiters.push(waiter);
    });
  }

  const connected = waitForConnections(1, 60_000);
  // Nobody may ever await it (a test that never connects); keep an unconnected fake from raising an unhandled rejection.
  connected.catch(() => undefined);

  return {
    baseUrl,
    issueConnectionUrl() {
      const ticket = randomUUID();
      issuedTickets.add(ticket);
      return `${baseUrl}/link/?ticket=${ticket}&app_id=${settings.appId}`;
    },
    connected,
    waitForConnections,
    get connectionsMade() {
      return counters.connectionsMade;
    },
    get openConnections() {
      return sockets.length;
    },
    get clientPings() {
      return counters.clientPings;
    },
    get pongsReceived() {
      return counters.pongsReceived;
    },
    received,
    sendEnvelope(type, payload, envelopeOptions = {}) {
      const webSocket = sockets.at(-1);
      if (!webSocket) return Promise.reject(new Error(`Socket Mode: no client is connected to receive a ${type} envelope`));
      const envelopeId = randomUUID();
      const envelope: Record<string, unknown> = {
        envelope_id: envelopeId,
        payload,
        type,
        accepts_response_payload: envelopeOptions.acceptsResponsePayload ?? type === 'slash_commands',
      };
      if (type === 'events_api') {
        envelope.retry_attempt = envelopeOptions.retryAttempt ?? 0;
        envelope.retry_reason = envelopeOptions.retryReason ?? '';
      }
      const timeoutMilliseconds = envelopeOptions.timeoutMilliseconds ?? settings.ackTimeoutMilliseconds;
      return new Promise<SocketModeAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelopeId);
          reject(new Error(`Socket Mode: no ack for ${type} envelope ${envelopeId} within ${timeoutMilliseconds} ms; client sent: ${JSON.stringify(received).slice(0, 500)}`));
        }, timeoutMilliseconds);
        pending.set(envelopeId, { type, sentAt: performance.now(), resolve, reject, timer });
        webSocket.send(JSON.stringify(envelope));
      });
    },
    sendDisconnect(reason = 'refresh_requested') {
      for (const webSocket of sockets) {
        webSocket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
      }
    },
    async close() {
      for (const waiting of pending.values()) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error(`Socket Mode: closed before the ${waiting.type} envelope was acked`));
      }
      pending.clear();
      for (const webSocket of [...sockets]) webSocket.terminate();
      await new Promise<void>((resolve) => webSocketServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function removeFrom<Item>(items: Item[], item: Item): void {
  const index = items.indexOf(item);
  if (index >= 0) items.splice(index, 1);
}
