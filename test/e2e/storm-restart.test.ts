import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_EVENT_TYPE } from '../../src/slack/find-incident-root.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { WEBHOOK_AUTHORIZATION, WEBHOOK_TOKEN } from '../support/alertmanager-webhook.js';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The restart test of the alert storm: `aiops start` as its own process, taking a storm of
 * Alertmanager webhooks (every notification delivered up to three times, shuffled), is killed
 * with SIGKILL in the middle, started again, and sent the storm again as Alertmanager would
 * (it retries failed deliveries and repeats firing alerts). No incident may get a second root
 * message, and every incident gets its one.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { url: REDIS_URL, redis } = await testRedis();
let slack: FakeSlack;
let port: number;

/** Independent corners of the simulated shop's call graph: none calls another. */
const SERVICES = ['payment', 'user', 'shipping', 'catalogue'];
const ALERT_NAMES = ['HighErrorRate', 'HighLatency', 'PodRestarts', 'CPUSaturation'];
const PODS = ['a', 'b', 'c'];

function startBot(): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
    cwd: REPOSITORY_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'storm-restart-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      REDIS_URL,
      ALERTMANAGER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      LOG_LEVEL: process.env.STORM_LOG_LEVEL ?? 'fatal',
    },
    stdio: ['ignore', process.env.STORM_LOG_LEVEL ? 'inherit' : 'ignore', process.env.STORM_LOG_LEVEL ? 'inherit' : 'ignore'],
  });
  return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

const healthy = () => fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);

/** Every alert of the storm, one webhook body each, every one three times, shuffled by a fixed permutation. */
function storm(): string[] {
  const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
  const bodies: string[] = [];
  for (const service of SERVICES) {
    for (const name of ALERT_NAMES) {
      for (const pod of PODS) {
        const alert = {
          status: 'firing',
          labels: { alertname: name, service, namespace: 'shop', pod: `${service}-${pod}`, severity: 'critical' },
          annotations: { summary: `${name} on ${service}-${pod}` },
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
        };
        const body = JSON.stringify({ version: '4', groupKey: `{}:{service="${service}"}`, status: 'firing', receiver: 'aiops', alerts: [alert] });
        bodies.push(body, body, body);
      }
    }
  }
  // A fixed shuffle (multiplicative stride), so the test is the same every run.
  return bodies.map((_, index) => bodies[(index * 37) % bodies.length]!);
}

/** Delivers bodies eight at a time; deliveries to a dead process fail and are returned, as Alertmanager would retry them. */
async function deliver(bodies: string[]): Promise<string[]> {
  const failed: string[] = [];
  for (let start = 0; start < bodies.length; start += 8) {
    await Promise.all(
      bodies.slice(start, start + 8).map(async (body) => {
        const ok = await fetch(`http://127.0.0.1:${port}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', ...WEBHOOK_AUTHORIZATION }, body }).then(
          (response) => response.status === 200,
          () => false,
        );
        if (!ok) failed.push(body);
      }),
    );
  }
  return failed;
}

function rootMessagesByIncident(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of slack.messages()) {
    const metadata = message.metadata as { event_type?: string; event_payload?: { incident_id?: string } } | undefined;
    if (message.threadTs !== undefined || metadata?.event_type !== INCIDENT_EVENT_TYPE) continue;
    const id = metadata.event_payload?.incident_id ?? 'unknown';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

beforeAll(async () => {
  await redis.flushdb();
  slack = await startFakeSlack();
  port = await freePort();
});

afterAll(async () => {
  await slack?.close();
  await redis.flushdb();
  await redis.quit();
});

describe('alert storm across a killed bot', () => {
  it('gives no incident a second root message when the bot is killed mid-storm and started again', async () => {
    const bodies = storm();
    let bot = startBot();
    await until(healthy, 'the first bot', 30_000);
    const half = Math.floor(bodies.length / 2);
    const failedBeforeKill = await deliver(bodies.slice(0, half));
    await until(() => rootMessagesByIncident().size >= 1, 'a first root message', 30_000);

    // Killed with no chance to finish: deliveries in flight fail, the outbox keeps what was not posted yet.
    const inFlight = deliver(bodies.slice(half));
    await new Promise((resolve) => setTimeout(resolve, 50));
    bot.child.kill('SIGKILL');
    await bot.exited;
    const failedAroundKill = await inFlight;

    bot = startBot();
    try {
      await until(healthy, 'the restarted bot', 30_000);
      // Alertmanager retries what failed and, later, repeats every firing alert.
      expect(await deliver([...failedBeforeKill, ...failedAroundKill])).toEqual([]);
      expect(await deliver(bodies)).toEqual([]);
      const open = async () => Object.keys(await redis.hgetall('aiops:incidents'));
      await until(async () => (await redis.zcard('aiops:slack:outbox')) === 0 && rootMessagesByIncident().size === (await open()).length, 'every incident posted', 45_000);

      const incidents = await open();
      expect(incidents.length).toBe(SERVICES.length);
      const roots = rootMessagesByIncident();
      expect([...roots.keys()].sort()).toEqual([...incidents].sort());
      expect([...roots.values()].every((count) => count === 1)).toBe(true);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
  }, 120_000);
});
