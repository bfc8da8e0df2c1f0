import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { changesWebhook } from '../../src/http/changes-webhook.js';
import { ChangeEventStore } from '../../src/state/change-event-store.js';
import { KEY_PREFIX } from '../../src/state/redis.js';
import { loggedWarnings, startBotRole, type RunningBot } from '../support/bot-role.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';

/**
 * `POST /webhooks/changes` as it reaches the bot that `aiops start` runs (the bot role, real
 * Redis, the example catalogue): who may post, the three shapes, the refusals, idempotency, metrics.
 */

const TOKEN = 'changes-webhook-test-token';
const { url: REDIS_URL, redis } = await testRedis();
const stored = new ChangeEventStore(redis, KEY_PREFIX);

let running: RunningBot | undefined;

afterEach(async () => {
  running?.stop('SIGTERM');
  await running?.stopped;
  running = undefined;
});

afterAll(async () => {
  await deleteKeys(redis);
  await redis.quit();
});

async function start(environment: Record<string, string>): Promise<RunningBot> {
  await deleteKeys(redis);
  running = await startBotRole(REDIS_URL, environment);
  return running;
}

async function post(port: number, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/changes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}


async function deliveries(port: number): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((line) => /^aiops_change_(webhook_deliveries|events_received)_total\{/.test(line));
}

const generic = { service: 'payment', kind: 'deploy', description: 'new card-token flow', version: '2.5.0', at: '2026-11-24T14:38:00Z', author: 'alice' };

const deploymentStatus = {
  action: 'created',
  deployment_status: { id: 42, state: 'success', environment: 'production', description: null, target_url: 'https://github.com/acme/cart/actions/runs/1', created_at: '2026-11-24T14:40:00Z', updated_at: '2026-11-24T14:40:02Z', creator: { login: 'github-actions[bot]' } },
  deployment: { id: 7, sha: '3f9a12c0d4e5b6a7980112233445566778899aab', ref: 'main', task: 'deploy', payload: {}, environment: 'production', description: 'cart 1.9.0', creator: { login: 'bob' } },
  repository: { name: 'cart', full_name: 'acme/cart', html_url: 'https://github.com/acme/cart' },
  sender: { login: 'bob' },
};

const argoCd = {
  argocd: { app: 'shipping', namespace: 'shop', revision: 'b1c2d3e4f5a6b7c8', kind: 'config', phase: 'Succeeded', syncStatus: 'Synced', healthStatus: 'Healthy', finishedAt: '2026-11-24T14:45:00Z', initiatedBy: 'carol', message: 'successfully synced (all tasks run)', url: 'https://argocd.example/applications/shipping' },
};

describe('the change-event webhook, closed by default', () => {
  it('without CHANGES_WEBHOOK_TOKEN: refuses every delivery with a 403 naming the setting, stores nothing, and warns once at start', async () => {
    const { port, log } = await start({});
    const refused = await post(port, generic);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'CHANGES_WEBHOOK_TOKEN: not set, so every delivery is refused; set it and send it as a bearer token' });
    expect((await post(port, generic, { authorization: 'Bearer anything-at-all-anything' })).status).toBe(403);
    expect(await stored.since('payment', 0)).toEqual([]);
    expect(loggedWarnings(log).filter((message) => message.includes('CHANGES_WEBHOOK_TOKEN'))).toEqual(['CHANGES_WEBHOOK_TOKEN not set: POST /webhooks/changes refuses every delivery (403) until it is set']);
  }, 60_000);
});

describe('the change-event webhook with a token', () => {
  it('refuses a missing or wrong bearer (401), a body not JSON (415), a malformed one (400) and an unknown service (422), storing nothing', async () => {
    const { port, log } = await start({ CHANGES_WEBHOOK_TOKEN: TOKEN });
    expect(loggedWarnings(log).filter((message) => message.includes('CHANGES_WEBHOOK'))).toEqual([]);
    expect((await post(port, generic, {})).status).toBe(401);
    expect(await post(port, generic, { authorization: 'Bearer not-the-token-not-the-token' })).toEqual({ status: 401, body: { error: 'authorization: expected the configured bearer token' } });
    expect((await post(port, generic, { authorization: TOKEN })).status).toBe(401);
    expect(await post(port, generic, { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' })).toEqual({ status: 415, body: { error: 'content-type: expected application/json, not "text/plain"' } });
    expect(await post(port, '{"service": "payment",', { authorization: `Bearer ${TOKEN}` })).toEqual({
      status: 400,
      body: { error: 'body: expected JSON (a change event, an array of them, a GitHub deployment_status event or an Argo CD notification)' },
    });
    expect(await post(port, { ...generic, kind: 'release' })).toEqual({ status: 400, body: { error: 'kind: expected one of deploy, config, rollback, feature-flag' } });
    expect(await post(port, [generic, { ...generic, at: 'last tuesday' }])).toEqual({ status: 400, body: { error: '[1].at: expected an ISO 8601 time with a zone, like 2026-11-24T14:55:00Z' } });
    const unknown = await post(port, { ...argoCd, argocd: { ...argoCd.argocd, app: 'guestbook' } });
    expect(unknown.status).toBe(422);
    expect(String(unknown.body.error)).toMatch(/^argocd\.app: unknown service "guestbook"; expected an application named after a catalogued service or its deployment \(catalogued: frontend, /);
    expect(loggedWarnings(log).some((message) => message.includes('(422)'))).toBe(true);
    expect((await redis.keys('aiops:change-events:*')).length).toBe(0);
  }, 60_000);

  it('takes the three shapes, stores a redelivery once, ignores a failed deployment, and counts it all on /metrics', async () => {
    const { port } = await start({ CHANGES_WEBHOOK_TOKEN: TOKEN });
    const first = await post(port, generic);
    expect(first).toMatchObject({ status: 200, body: { accepted: 1, stored: 1, duplicates: 0, expired: 0, ignored: [] } });
    // Same content again, no id: the same event, stored once.
    expect(await post(port, generic)).toMatchObject({ status: 200, body: { accepted: 1, stored: 0, duplicates: 1 } });
    expect(await post(port, deploymentStatus)).toMatchObject({ status: 200, body: { accepted: 1, stored: 1, ids: ['github:deployment-status:42'] } });
    // GitHub redelivers the same status: the same id.
    expect(await post(port, deploymentStatus)).toMatchObject({ status: 200, body: { stored: 0, duplicates: 1 } });
    expect(await post(port, argoCd)).toMatchObject({ status: 200, body: { accepted: 1, stored: 1 } });
    expect(await post(port, { ...deploymentStatus, deployment_status: { ...deploymentStatus.deployment_status, id: 43, state: 'failure' } })).toEqual({
      status: 200,
      body: { accepted: 0, stored: 0, duplicates: 0, ignored: ['deployment_status.state is "failure": only "success" records a change'] },
    });

    expect(await stored.since('payment', 0)).toEqual([
      { id: (first.body.ids as string[])[0], service: 'payment', kind: 'deploy', description: 'new card-token flow', at: Date.UTC(2026, 10, 24, 14, 38), version: '2.5.0', author: 'alice', origin: 'generic' },
    ]);
    expect(await stored.since('cart', 0)).toMatchObject([{ kind: 'deploy', description: 'cart 1.9.0 (to production)', version: '3f9a12c0d4e5', author: 'bob', origin: 'github' }]);
    expect(await stored.since('shipping', 0)).toMatchObject([{ kind: 'config', version: 'b1c2d3e4f5a6', author: 'carol', origin: 'argocd' }]);
    expect(await deliveries(port)).toEqual(
      expect.arrayContaining([
        'aiops_change_webhook_deliveries_total{outcome="accepted"} 5',
        'aiops_change_webhook_deliveries_total{outcome="ignored"} 1',
        'aiops_change_events_received_total{result="stored"} 3',
        'aiops_change_events_received_total{result="duplicate"} 2',
      ]),
    );
  }, 60_000);

  it('refuses a body over 1 MiB with a 413 the client reads, and a GET with a 405', async () => {
    const { port } = await start({ CHANGES_WEBHOOK_TOKEN: TOKEN });
    const many = Array.from({ length: 3_000 }, (_, index) => ({ ...generic, id: `release-${index}`, description: 'x'.repeat(400) }));
    expect(await post(port, many)).toEqual({ status: 413, body: { error: 'body: expected at most 1048576 bytes; send fewer events per delivery' } });
    const get = await fetch(`http://127.0.0.1:${port}/webhooks/changes`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(await deliveries(port)).toEqual(expect.arrayContaining(['aiops_change_webhook_deliveries_total{outcome="too_large"} 1', 'aiops_change_webhook_deliveries_total{outcome="wrong_method"} 1']));
  }, 60_000);
});

describe('the change-event webhook when the store does not answer', () => {
  it('answers 503 within its deadline, so the sender retries', async () => {
    const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
    const hanging = { record: () => new Promise<never>(() => undefined) };
    const server: Server = createServer(changesWebhook({ catalogue, token: TOKEN, sink: hanging, now: () => Date.now(), storeDeadlineMilliseconds: 200 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      expect(await post((server.address() as AddressInfo).port, generic)).toEqual({ status: 503, body: { error: 'could not store the change events now; retry later' } });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
