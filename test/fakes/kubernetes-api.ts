import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { valueAt, type Json, type JsonObject } from './kubernetes/json-patch.js';
import { handleResourceRequest, nameOf, namespaceOf, statusAnswer, type Answer, type Store } from './kubernetes/resource-handlers.js';
import { shopObjects, type KubernetesObjects } from './kubernetes/shop-objects.js';

export { valueAt, type Json, type JsonObject } from './kubernetes/json-patch.js';
export { horizontalPodAutoscaler, shopObjects, type KubernetesObjects } from './kubernetes/shop-objects.js';

/** One request as it reached the fake, so tests can assert exactly what the adapter sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** The parsed JSON body, or the raw text when it is not JSON; undefined when empty. */
  body?: unknown;
}

export interface FakeKubernetes {
  url: string;
  /** Bearer token with every right. */
  token: string;
  /** Bearer token that may read but not write: writes answer 403 as RBAC would. */
  readOnlyToken: string;
  requests: RecordedRequest[];
  /** The live store; writes that are not dry runs change it. */
  objects: KubernetesObjects;
  /** The stored object, or undefined when there is none. */
  find(collection: keyof KubernetesObjects, namespace: string, name: string): JsonObject | undefined;
  /** The value at a JSON pointer (`/spec/replicas`) inside a stored object; undefined where there is none. */
  storedValue(collection: keyof KubernetesObjects, namespace: string, name: string, pointer: string): Json | undefined;
  /** Answer the next `count` requests with `status` (default 503), to exercise retries. */
  failNext(count: number, status?: number): void;
  /**
   * Holds every request `matches` accepts, unanswered, until `release()`: a client stuck mid-call,
   * to kill it there. `reached` resolves when the first one arrives.
   */
  hold(matches: (request: RecordedRequest) => boolean): { reached: Promise<void>; release(): void };
  /** A KubeConfig pointing at this server, authenticating with `token` (default: the full-rights one). */
  kubeConfig(token?: string): KubeConfig;
  close(): Promise<void>;
}

const API_PATH = /^\/(api\/v1|apis\/apps\/v1|apis\/autoscaling\/v2)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

/**
 * A small Kubernetes API server over real HTTP on 127.0.0.1: the part of the REST API the
 * adapter uses (deployments, their scale, replicasets, pods, events, horizontalpodautoscalers), with bearer-token auth,
 * RBAC-style refusals, server-side dry run and real patch application. `initial` replaces the
 * default `shop` world collection by collection.
 */
export async function startFakeKubernetes(initial?: Partial<KubernetesObjects>): Promise<FakeKubernetes> {
  const objects: KubernetesObjects = { ...shopObjects(), ...structuredClone(initial ?? {}) };
  const store: Store = { objects, resourceVersion: 1000 };
  const token = randomBytes(16).toString('hex');
  const readOnlyToken = randomBytes(16).toString('hex');
  const requests: RecordedRequest[] = [];
  const failures = { remaining: 0, status: 503 };
  const holds: Array<{ matches: (request: RecordedRequest) => boolean; released: Promise<void>; arrived: () => void }> = [];

  const server = createServer((request, response) => {
    void readBody(request).then(async (text) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const query = Object.fromEntries(url.searchParams.entries());
      const contentType = request.headers['content-type'];
      const body = parseBody(text);
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query, contentType, body: body.parsed };
      requests.push(recorded);
      const hold = holds.find((candidate) => candidate.matches(recorded));
      if (hold) {
        hold.arrived();
        await hold.released;
        // A client killed meanwhile is gone, and what it asked for is not done.
        if (response.destroyed || request.socket.destroyed) return;
      }
      send(response, answer(request, url.pathname, query, contentType, body));
    }, () => response.destroy());
  });

  function answer(request: IncomingMessage, path: string, query: Record<string, string>, contentType: string | undefined, body: ParsedBody): Answer {
    const method = request.method ?? 'GET';
    if (failures.remaining > 0) {
      failures.remaining -= 1;
      return statusAnswer(failures.status, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    }
    const authorization = request.headers.authorization;
    if (authorization !== `Bearer ${token}` && authorization !== `Bearer ${readOnlyToken}`) {
      return statusAnswer(401, 'Unauthorized', 'Unauthorized');
    }
    const match = API_PATH.exec(path);
    if (!match) return statusAnswer(404, 'NotFound', 'the server could not find the requested resource');
    const [, apiPrefix = '', namespace = '', resource = '', name, subresource] = match;
    if (authorization === `Bearer ${readOnlyToken}` && method !== 'GET') {
      const verb = method === 'DELETE' ? 'delete' : 'patch';
      // `apis/apps/v1` -> `apps`; the core group (`api/v1`) is the empty string.
      const group = apiPrefix === 'api/v1' ? '' : (apiPrefix.split('/')[1] ?? '');
      const target = subresource ? `${resource}/${subresource}` : resource;
      return statusAnswer(
        403,
        'Forbidden',
        `${resource}${group ? `.${group}` : ''} "${name ?? ''}" is forbidden: User "system:serviceaccount:aiops:aiops-bot" cannot ${verb} resource "${target}" in API group "${group}" in the namespace "${namespace}"`,
      );
    }
    if (body.invalid) return statusAnswer(400, 'BadRequest', 'the request body is not valid JSON');
    return handleResourceRequest(store, {
      method,
      apiPrefix,
      namespace: decodeURIComponent(namespace),
      resource,
      name: name === undefined ? undefined : decodeURIComponent(name),
      subresource,
      query,
      contentType,
      body: body.parsed as Json | undefined,
    });
  }

  function find(collection: keyof KubernetesObjects, namespace: string, name: string): JsonObject | undefined {
    return objects[collection].find((object) => namespaceOf(object) === namespace && nameOf(object) === name);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    token,
    readOnlyToken,
    requests,
    objects,
    find,
    storedValue: (collection, namespace, name, pointer) => valueAt(find(collection, namespace, name), pointer),
    hold(matches) {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const entry = { matches, released, arrived };
      holds.push(entry);
      return {
        reached,
        release: () => {
          holds.splice(holds.indexOf(entry), 1);
          release();
        },
      };
    },
    failNext(count, status = 503) {
      failures.remaining = count;
      failures.status = status;
    },
    kubeConfig(chosenToken = token) {
      const kubeConfig = new KubeConfig();
      // client-node 1.4.0 refuses an http:// server unless skipTLSVerify is set, TLS or not.
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'aiops-bot', token: chosenToken }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'aiops-bot' }],
        currentContext: 'fake',
      });
      return kubeConfig;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface ParsedBody {
  parsed?: unknown;
  invalid: boolean;
}

function parseBody(text: string): ParsedBody {
  if (text.length === 0) return { invalid: false };
  try {
    return { parsed: JSON.parse(text) as unknown, invalid: false };
  } catch {
    return { parsed: text, invalid: true };
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: Answer): void {
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
