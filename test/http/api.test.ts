import { Validator } from '@seriousme/openapi-schema-validator';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { postAlertmanagerWebhook } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { startInProcessBot, type InProcessBot } from '../support/in-process-bot.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * The HTTP API against the running bot (simulated world, real Redis, real HTTP): tokens and
 * scopes, one-line 4xx errors, the incidents the Alertmanager webhook opened, the same acknowledge
 * and resolve as Slack's buttons, questions answered in the background, and an OpenAPI document
 * that validates and describes every route.
 */

const READ_TOKEN = 'read-token-0123456789abcdef';
const CHANGES_TOKEN = 'changes-token-0123456789abcdef';
const WRITE_TOKEN = 'write-token-0123456789abcdef';
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let bot: InProcessBot;
let base: string;

const SHIPPING_RUNBOOK = 'https://wiki.example.com/runbooks/shipping';
const ALERT_RUNBOOK = 'https://wiki.example.com/alerts/high-error-rate';
const GRAPH = 'http://prometheus.example.com/graph?g0.expr=errors';

const directory = mkdtempSync(join(tmpdir(), 'aiops-api-'));

/** The example catalogue with a runbook for shipping: what the incident view links. */
function catalogueWithRunbook(): string {
  const example = readFileSync(new URL('../../deploy/catalogue.example.yml', import.meta.url), 'utf8');
  const withRunbook = example.replace('    dependencies: [database]\n  user:', `    dependencies: [database]\n    runbook: ${SHIPPING_RUNBOOK}\n  user:`);
  expect(withRunbook).not.toBe(example);
  const path = join(directory, 'catalogue.yml');
  writeFileSync(path, withRunbook);
  return path;
}

function alert(service: string, fingerprint: string): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', namespace: 'shop', service, severity: 'critical' },
    annotations: { summary: `${service} is failing requests`, runbook_url: ALERT_RUNBOOK },
    generatorURL: GRAPH,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint,
  };
}

function call(path: string, options: { token?: string; method?: string; body?: unknown; contentType?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return fetch(`${base}${path}`, { method: options.method ?? 'GET', headers, ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}) });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  slack = await startFakeSlack();
  const port = await freePort();
  base = `http://127.0.0.1:${port}/api/v1`;
  bot = await startInProcessBot({
    slackApiUrl: slack.apiUrl,
    botToken: slack.botToken,
    signingSecret: 'api-signing-secret',
    port,
    redisUrl: REDIS_URL,
    environment: { AIOPS_API_TOKENS: `grafana:read:${READ_TOKEN},runbooks:write:${WRITE_TOKEN}`, AIOPS_CONFIG: catalogueWithRunbook(), CHANGES_WEBHOOK_TOKEN: CHANGES_TOKEN },
  });
  for (const [service, fingerprint] of [['shipping', 'f0000000000a0001'], ['payment', 'f0000000000a0002'], ['user', 'f0000000000a0003']] as const) {
    expect((await postAlertmanagerWebhook(port, [alert(service, fingerprint)])).status).toBe(200);
  }
}, 30_000);

afterAll(async () => {
  bot?.stop('SIGTERM');
  expect(await bot?.exited).toBe(0);
  await slack?.close();
  await redis.quit();
  rmSync(directory, { recursive: true, force: true });
});

describe('the HTTP API', () => {
  it('serves an OpenAPI 3 document that validates and describes every route, without a token', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    const document = await json(response);
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(document.paths as object).sort()).toEqual(
      ['/actions', '/actions/{id}', '/anomalies', '/approvals', '/ask', '/ask/{id}', '/audit', '/changes', '/incidents', '/incidents/{id}', '/incidents/{id}/acknowledge', '/incidents/{id}/resolve', '/incidents/{id}/silence', '/services', '/services/{service}', '/services/{service}/forecast', '/services/{service}/logs'].sort(),
    );
  });

  it('refuses a missing or unknown token with 401, and a read token that tries to act with 403, in one line', async () => {
    const missing = await call('/incidents');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="aiops"');
    expect(await json(missing)).toEqual({ error: 'authorization: expected Bearer and a token from AIOPS_API_TOKENS' });
    expect((await call('/incidents', { token: 'not-a-token-of-ours-000' })).status).toBe(401);
    const readOnly = await call('/incidents/INC-1/acknowledge', { token: READ_TOKEN, method: 'POST', body: {} });
    expect(readOnly.status).toBe(403);
    expect((await json(readOnly)).error).toBe('authorization: token "grafana" may read only; POST /api/v1/incidents/{id}/acknowledge needs a write token');
  });

  it('answers malformed requests with a 4xx naming the field and what was expected', async () => {
    const cases: Array<[Response, number, string]> = [
      [await call('/incidents?limit=0', { token: READ_TOKEN }), 400, 'limit: expected an integer from 1 to 200'],
      [await call('/incidents?status=closed', { token: READ_TOKEN }), 400, 'status: expected one of open, resolved, all, got "closed"'],
      [await call('/incidents?cursor=nonsense', { token: READ_TOKEN }), 400, 'cursor: expected the nextCursor of an earlier page'],
      [await call('/incidents?service=billing', { token: READ_TOKEN }), 400, 'service: expected a catalogued service, got "billing"'],
      [await call('/incidents?service=paymnet', { token: READ_TOKEN }), 400, 'service: expected a catalogued service, got "paymnet" (did you mean payment?)'],
      [await call('/anomalies?service=shiping', { token: READ_TOKEN }), 400, 'service: expected a catalogued service, got "shiping" (did you mean shipping?)'],
      [await call('/ask', { token: WRITE_TOKEN, method: 'POST', body: '{"question":' }), 400, 'body: expected JSON'],
      [await call('/ask', { token: WRITE_TOKEN, method: 'POST', body: [] }), 400, 'body: expected a JSON object'],
      [await call('/ask', { token: WRITE_TOKEN, method: 'POST', body: { question: 42 } }), 400, 'question: expected a non-empty string of at most 1000 characters'],
      [await call('/ask', { token: WRITE_TOKEN, method: 'POST', body: 'question=why', contentType: 'application/x-www-form-urlencoded' }), 415, 'content-type: expected application/json, got application/x-www-form-urlencoded'],
      [await call('/incidents/INC-1/silence', { token: WRITE_TOKEN, method: 'POST', body: { duration: 'forever' } }), 400, 'duration: expected a duration like 30m, 2h or 1d, at most 7d'],
      [await call('/incidents/INC-999', { token: READ_TOKEN }), 404, 'incident INC-999: not found; list them with GET /api/v1/incidents'],
      [await call('/services/billing/forecast', { token: READ_TOKEN }), 404, 'service billing: not in the catalogue'],
      [await call('/changes?since=1y', { token: READ_TOKEN }), 400, 'since: expected a duration like 30m, 6h or 7d, at most 7 days'],
      [await call('/services/payment/logs?window=2d', { token: READ_TOKEN }), 400, 'window: expected a duration like 15m, 2h or 1d, at most a day'],
      [await call('/services/payment/logs?window=90s', { token: READ_TOKEN }), 400, 'window: expected whole minutes, like 15m, 2h or 1d'],
      [await call('/services/billing/logs', { token: READ_TOKEN }), 404, 'service billing: not in the catalogue'],
      [await call('/services/cataloge/forecast', { token: READ_TOKEN }), 404, 'service cataloge: not in the catalogue (did you mean catalogue?)'],
      [await call('/incidents', { token: READ_TOKEN, method: 'DELETE' }), 405, 'method: expected GET'],
      [await call('/nothing', { token: READ_TOKEN }), 404, 'path: no route /api/v1/nothing; GET /api/v1/openapi.json lists them'],
    ];
    for (const [response, status, error] of cases) {
      expect({ status: response.status, body: await json(response) }).toEqual({ status, body: { error } });
    }
  });

  it('lists the incidents the webhook opened, page by page, and shows one', async () => {
    await until(async () => ((await json(await call('/incidents', { token: READ_TOKEN }))).items as unknown[]).length === 3, 'three incidents listed');
    const first = await json(await call('/incidents?limit=2', { token: READ_TOKEN }));
    expect(first.items as unknown[]).toHaveLength(2);
    const second = await json(await call(`/incidents?limit=2&cursor=${String(first.nextCursor)}`, { token: READ_TOKEN }));
    expect(second.items as unknown[]).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    const services = [...(first.items as Array<{ services: string[] }>), ...(second.items as Array<{ services: string[] }>)].flatMap((incident) => incident.services).sort();
    expect(services).toEqual(['payment', 'shipping', 'user']);
    const shipping = (await json(await call('/incidents?service=shipping', { token: READ_TOKEN }))).items as Array<{ id: string }>;
    expect(shipping).toHaveLength(1);
    const one = await json(await call(`/incidents/${shipping[0]!.id}`, { token: READ_TOKEN }));
    expect(one).toMatchObject({
      id: shipping[0]!.id,
      status: 'open',
      severity: 'critical',
      services: ['shipping'],
      acknowledgedBy: null,
      runbooks: [{ service: 'shipping', url: SHIPPING_RUNBOOK }],
      alerts: [{ name: 'HighErrorRate', summary: 'shipping is failing requests', status: 'firing', generatorUrl: GRAPH, runbookUrl: ALERT_RUNBOOK }],
    });
    const payment = (await json(await call('/incidents?service=payment', { token: READ_TOKEN }))).items as Array<{ runbooks: unknown[] }>;
    expect(payment[0]!.runbooks).toEqual([]);
  });

  it('acknowledges and resolves an incident once, as the Slack buttons do, audited as the API client', async () => {
    const [incident] = (await json(await call('/incidents?service=payment', { token: READ_TOKEN }))).items as Array<{ id: string }>;
    const acknowledged = await json(await call(`/incidents/${incident!.id}/acknowledge`, { token: WRITE_TOKEN, method: 'POST' }));
    expect(acknowledged).toMatchObject({ outcome: 'done', incident: { id: incident!.id, acknowledgedBy: 'api:runbooks' } });
    expect(await json(await call(`/incidents/${incident!.id}/acknowledge`, { token: WRITE_TOKEN, method: 'POST' }))).toMatchObject({ outcome: 'already' });
    const resolved = await json(await call(`/incidents/${incident!.id}/resolve`, { token: WRITE_TOKEN, method: 'POST', body: {} }));
    expect(resolved).toMatchObject({ outcome: 'done', incident: { status: 'resolved', resolvedBy: 'api:runbooks' } });
    expect(((await json(await call('/incidents?status=resolved', { token: READ_TOKEN }))).items as Array<{ id: string }>).map((item) => item.id)).toEqual([incident!.id]);
    const audit = (await json(await call('/audit?limit=10', { token: READ_TOKEN }))).items as Array<{ actor: string; action: string; target: string }>;
    expect(audit.filter((entry) => entry.actor === 'api:runbooks').map((entry) => entry.action)).toEqual(['resolve', 'acknowledge']);
    await until(() => slack.calls('chat.update').some((update) => JSON.stringify(update.body.blocks).includes('Acknowledged by') || /^Resolved INC-/.test(String(update.body.text))), 'the Slack message redrawn');
  });

  it('silences an incident for a while, within the longest silence the catalogue allows', async () => {
    const [incident] = (await json(await call('/incidents?service=user', { token: READ_TOKEN }))).items as Array<{ id: string }>;
    const silenced = await json(await call(`/incidents/${incident!.id}/silence`, { token: WRITE_TOKEN, method: 'POST', body: { duration: '2h', reason: 'known issue' } }));
    expect(silenced).toMatchObject({ scope: 'user', incident: { id: incident!.id } });
    expect(Date.parse(String(silenced.until))).toBeGreaterThan(Date.now());
  });

  it('answers a question in the background, the same text Slack would show, polled by id', async () => {
    const asked = await call('/ask', { token: WRITE_TOKEN, method: 'POST', body: { question: 'why is shipping slow?' } });
    expect(asked.status).toBe(202);
    const { id } = (await asked.json()) as { id: string };
    expect(asked.headers.get('location')).toBe(`/api/v1/ask/${id}`);
    let polled: Record<string, unknown> = {};
    await until(async () => {
      polled = await json(await call(`/ask/${id}`, { token: READ_TOKEN }));
      return polled.status !== 'pending';
    }, 'the answer');
    expect(polled).toMatchObject({ id, status: 'done', question: 'why is shipping slow?', askedBy: 'runbooks', answer: { question: 'why is shipping slow?', services: ['shipping'] } });
    expect(String(polled.text)).toMatch(/shipping/);
  }, 60_000);

  it('lists the services with their owners, dependencies and health, and shows one by its name or an alias', async () => {
    const listed = (await json(await call('/services?limit=200', { token: READ_TOKEN }))).items as Array<{ name: string; healthy: boolean; openIncidents: string[] }>;
    expect(listed.map((service) => service.name)).toEqual(['frontend', 'checkout', 'order-service', 'payment', 'cart', 'catalogue', 'shipping', 'user', 'database', 'cache']);
    const [shippingIncident] = (await json(await call('/incidents?service=shipping&status=open', { token: READ_TOKEN }))).items as Array<{ id: string }>;
    expect(listed.find((service) => service.name === 'shipping')).toMatchObject({ healthy: false, openIncidents: [shippingIncident!.id] });
    expect(listed.find((service) => service.name === 'cache')).toMatchObject({ openIncidents: [] });

    const orders = await json(await call('/services/orders', { token: READ_TOKEN }));
    expect(orders).toMatchObject({ name: 'order-service', team: 'orders', channel: '#shop-orders', aliases: ['orders'], runbook: null, dependencies: ['database', 'cache'], dependents: ['checkout'] });
    expect(await json(await call('/services/shipping', { token: READ_TOKEN }))).toMatchObject({ runbook: SHIPPING_RUNBOOK, dependents: ['checkout'] });
    const unknown = await call('/services/billing', { token: READ_TOKEN });
    expect({ status: unknown.status, body: await json(unknown) }).toEqual({ status: 404, body: { error: 'service billing: not in the catalogue' } });
  });

  it('lists what changed, newest first, for the estate or one service named by an alias', async () => {
    const sent = await fetch(`${base.replace('/api/v1', '')}/webhooks/changes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CHANGES_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'orders', kind: 'config', description: 'pool size 20 → 5', version: 'cfg-42', author: 'carol', id: 'cfg-42' }),
    });
    expect(sent.status).toBe(200);
    const forOrders = (await json(await call('/changes?service=orders', { token: READ_TOKEN }))).items as Array<Record<string, unknown>>;
    expect(forOrders).toContainEqual({ service: 'order-service', kind: 'config', description: expect.stringContaining('pool size 20 → 5'), at: expect.any(String), version: 'cfg-42', origin: 'generic' });
    const everything = (await json(await call('/changes?since=7d&limit=200', { token: READ_TOKEN }))).items as Array<{ service: string; at: string }>;
    expect(everything.map((change) => change.service)).toContain('order-service');
    const times = everything.map((change) => Date.parse(change.at));
    expect(times).toEqual([...times].sort((left, right) => right - left));
    expect(((await json(await call('/changes?service=payment', { token: READ_TOKEN }))).items as Array<{ service: string }>).every((change) => change.service === 'payment')).toBe(true);
  });

  it('shows what a service is logging: its top templates over the window, counted, with an example each', async () => {
    let logs: { service: string; totalLines: number; templates: Array<{ template: string; count: number; example: string; change: unknown }> } | undefined;
    await until(async () => {
      logs = (await json(await call('/services/database/logs?window=1h', { token: READ_TOKEN }))) as typeof logs;
      return logs!.totalLines > 0;
    }, 'the simulated database\'s logs mined', 60_000);
    expect(logs!.service).toBe('database');
    expect(logs!.templates.length).toBeGreaterThan(0);
    expect(logs!.templates.reduce((sum, row) => sum + row.count, 0)).toBeLessThanOrEqual(logs!.totalLines);
    for (const row of logs!.templates) {
      expect(row.template).toMatch(/\S/);
      expect(row.example).toMatch(/\S/);
      expect(row.change === 'new' || row.change === null || typeof row.change === 'number').toBe(true);
    }
  }, 90_000);

  it('reads anomalies, forecasts, actions and approvals', async () => {
    expect(await json(await call('/services/shipping/forecast', { token: READ_TOKEN }))).toMatchObject({ service: 'shipping', forecasts: expect.any(Array) });
    // An alias, as people write the name, means its service.
    expect(await json(await call('/services/orders/forecast', { token: READ_TOKEN }))).toMatchObject({ service: 'order-service', forecasts: expect.any(Array) });
    expect(await json(await call('/anomalies?service=DB', { token: READ_TOKEN }))).toMatchObject({ items: expect.any(Array) });
    expect(await json(await call('/anomalies?since=1h', { token: READ_TOKEN }))).toMatchObject({ items: expect.any(Array) });
    expect(await json(await call('/actions', { token: READ_TOKEN }))).toEqual({ items: [] });
    expect(await json(await call('/approvals', { token: READ_TOKEN }))).toEqual({ items: [] });
    expect((await call('/actions/R-404', { token: READ_TOKEN })).status).toBe(404);
  });
});
