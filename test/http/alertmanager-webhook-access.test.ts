import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { AiopsError } from '../../src/errors.js';
import { loggedWarnings, startBotRole, type RunningBot } from '../support/bot-role.js';
import { deleteKeys, testRedis } from '../support/test-redis.js';

/**
 * Who may post alerts, and where the bot listens, as a user meets them with `aiops start`: the
 * webhook is closed until a token is set (403 naming the setting, one warning at start-up), opened
 * to anyone only by a setting that says so (and a warning that says what that means), and the
 * port listens on 127.0.0.1 unless BIND_ADDRESS says otherwise.
 */

const TOKEN = 'access-test-webhook-token';
const { url: REDIS_URL, redis } = await testRedis();

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
  running = await startBotRole(REDIS_URL, environment);
  return running;
}

function firing(service: string): Record<string, unknown> {
  return {
    version: '4',
    groupKey: `{}:{alertname="ForgedAlert",service="${service}"}`,
    status: 'firing',
    receiver: 'aiops',
    groupLabels: { alertname: 'ForgedAlert', service },
    alerts: [{ status: 'firing', labels: { alertname: 'ForgedAlert', service, severity: 'critical' }, annotations: { runbook_url: 'https://phishing.example' }, startsAt: new Date().toISOString() }],
  };
}

async function post(port: number, body: unknown, authorization?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}


async function incidentsStored(): Promise<number> {
  return (await redis.keys('*incident*')).length;
}

/** An address of this machine other than 127.0.0.1: another interface's, else (Linux) another loopback address. */
function anotherLocalAddress(): string {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal);
  return external?.address ?? '127.0.0.2';
}

describe('the Alertmanager webhook, closed by default', () => {
  it('without ALERTMANAGER_WEBHOOK_TOKEN: refuses every delivery with a 403 naming the settings, stores nothing, and warns once at start', async () => {
    await deleteKeys(redis);
    const { port, log } = await start({});
    const refused = await post(port, firing('payment'));
    expect(refused.status).toBe(403);
    expect(Object.keys(refused.body)).toEqual(['error']);
    const error = String(refused.body.error);
    expect(error).toMatch(/^ALERTMANAGER_WEBHOOK_TOKEN: /);
    expect(error).toContain('ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED=true');
    expect(error).not.toContain('\n');
    // A bearer of any kind changes nothing while no token is configured.
    expect((await post(port, firing('payment'), 'Bearer anything-at-all-anything')).status).toBe(403);
    expect(await incidentsStored()).toBe(0);
    expect(loggedWarnings(log).filter((message) => message.includes('ALERTMANAGER_WEBHOOK_TOKEN'))).toEqual([
      'ALERTMANAGER_WEBHOOK_TOKEN not set: POST /webhooks/alertmanager refuses every delivery (403) until it is set',
    ]);
  }, 60_000);

  it('with a token: a missing or wrong bearer gets 401, the right one 200, and no warning', async () => {
    await deleteKeys(redis);
    const { port, log } = await start({ ALERTMANAGER_WEBHOOK_TOKEN: TOKEN });
    expect((await post(port, firing('payment'))).status).toBe(401);
    expect((await post(port, firing('payment'), 'Bearer not-the-token-not-the-token')).status).toBe(401);
    // The token alone, or under another scheme, is not how Alertmanager sends it.
    expect((await post(port, firing('payment'), TOKEN)).status).toBe(401);
    expect((await post(port, firing('payment'), `Basic ${TOKEN}`)).status).toBe(401);
    expect(await post(port, firing('payment'), `Bearer ${TOKEN}`)).toEqual({ status: 200, body: { accepted: 1 } });
    expect(loggedWarnings(log).filter((message) => message.includes('ALERTMANAGER_WEBHOOK'))).toEqual([]);
  }, 60_000);

  it('ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED=true opens it to anyone, and the start says so', async () => {
    await deleteKeys(redis);
    const { port, log } = await start({ ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: 'true' });
    expect(await post(port, firing('payment'))).toEqual({ status: 200, body: { accepted: 1 } });
    expect(loggedWarnings(log).filter((message) => message.includes('ALERTMANAGER_WEBHOOK'))).toEqual([
      `ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED=true: anyone who can reach port ${port} can raise and resolve alerts through POST /webhooks/alertmanager; set ALERTMANAGER_WEBHOOK_TOKEN instead`,
    ]);
  }, 60_000);
});

describe('the listening address', () => {
  it('listens on 127.0.0.1 by default: not reachable on another address of the machine, and says where it listens', async () => {
    const { port, log } = await start({ ALERTMANAGER_WEBHOOK_TOKEN: TOKEN });
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
    expect(health.bindAddress).toBe('127.0.0.1');
    const elsewhere = await fetch(`http://${anotherLocalAddress()}:${port}/healthz`, { signal: AbortSignal.timeout(3_000) }).then(
      (response) => `answered ${response.status}`,
      () => 'refused',
    );
    expect(elsewhere).toBe('refused');
    expect(log.text).toContain(`/healthz on 127.0.0.1:${port}`);
  }, 60_000);

  it('listens where BIND_ADDRESS says', async () => {
    const address = anotherLocalAddress();
    const { port } = await start({ ALERTMANAGER_WEBHOOK_TOKEN: TOKEN, BIND_ADDRESS: '0.0.0.0' });
    const health = (await (await fetch(`http://${address}:${port}/healthz`, { signal: AbortSignal.timeout(3_000) })).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', bindAddress: '0.0.0.0' });
  }, 60_000);
});

describe('the settings', () => {
  const configError = (environment: Record<string, string>) => {
    try {
      loadConfig(environment, { stdoutIsTerminal: false });
    } catch (error) {
      if (error instanceof AiopsError) return error.message;
      throw error;
    }
    return 'accepted';
  };

  it('are checked at start-up, one line naming the variable', () => {
    expect(configError({ ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: 'yes' })).toMatch(/^ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: expected true or false/);
    expect(configError({ ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: 'true', ALERTMANAGER_WEBHOOK_TOKEN: TOKEN })).toMatch(
      /^ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: expected unset or false while ALERTMANAGER_WEBHOOK_TOKEN is set/,
    );
    expect(configError({ BIND_ADDRESS: 'localhost' })).toMatch(/^BIND_ADDRESS: expected an IP address/);
    expect(loadConfig({}, { stdoutIsTerminal: false })).toMatchObject({ bindAddress: '127.0.0.1', alertmanagerWebhookAllowUnauthenticated: false });
    expect(loadConfig({ ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: 'false', ALERTMANAGER_WEBHOOK_TOKEN: TOKEN, BIND_ADDRESS: '::' }, { stdoutIsTerminal: false })).toMatchObject({
      bindAddress: '::',
      alertmanagerWebhookAllowUnauthenticated: false,
    });
  });
});
