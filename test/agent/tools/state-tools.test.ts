import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TOOL_NAMES } from '../../../src/agent/tools/create-tools.js';
import { MAXIMUM_TOOL_OUTPUT_CHARACTERS } from '../../../src/agent/tool.js';
import type { Anomaly } from '../../../src/detection/anomaly.js';
import { IncidentStore } from '../../../src/state/incident-store.js';
import { catalogue, cleanUp, harness, MINUTE, NOW, redis } from './tool-harness.js';
import { MinedLogs } from '../../../src/state/mined-logs.js';

afterEach(cleanUp);
afterAll(() => redis.disconnect());

const anomaly = (service: string, minutesAgo: number, summary: string): Anomaly => ({
  id: `${service}:${minutesAgo}`,
  kind: 'anomaly',
  service,
  signals: ['latency_p95'],
  score: 0.93,
  severity: 'critical',
  detectedAt: NOW - minutesAgo * MINUTE,
  evidence: { start: NOW - (minutesAgo + 3) * MINUTE, end: NOW - minutesAgo * MINUTE },
  summary,
});

describe('createTools', () => {
  it('builds every named tool once, each with a description and an object schema', () => {
    const { tools } = harness();
    expect(tools.map((tool) => tool.name)).toEqual([...TOOL_NAMES]);
    for (const tool of tools) {
      expect(tool.description.length).toBeGreaterThan(40);
      expect(tool.schema.type).toBe('object');
    }
  });
});

describe('current_anomalies', () => {
  it('lists recent anomalies newest first, filtered by service', async () => {
    const { call, anomalies } = harness();
    await anomalies.record(anomaly('database', 15, 'database latency_p95 0.55 s (usually 0.01 s)'));
    await anomalies.record(anomaly('order-service', 12, 'order-service latency_p95 1.6 s (usually 0.09 s)'));
    await anomalies.record(anomaly('cart', 200, 'old news'));
    const all = await call('current_anomalies');
    expect(all.status).toBe('ok');
    expect(all.output).toBe(
      [
        '2 anomalies for any service since 18:00 UTC (by service: order-service 1, database 1); newest 2:',
        '- 18:48 critical order-service [latency_p95] score 0.93, since 18:45: order-service latency_p95 1.6 s (usually 0.09 s)',
        '- 18:45 critical database [latency_p95] score 0.93, since 18:42: database latency_p95 0.55 s (usually 0.01 s)',
      ].join('\n'),
    );
    expect(all.services).toEqual(['order-service', 'database']);
    expect((await call('current_anomalies', { service: 'database' })).output).toMatch(/^1 anomalies for database/);
    expect((await call('current_anomalies', { service: 'cache' })).status).toBe('no-data');
    expect((await call('current_anomalies', { service: 'mysql' })).status).toBe('error');
    // The database's alias is the database.
    expect((await call('current_anomalies', { service: 'db' })).output).toMatch(/^1 anomalies for database/);
  });
});

describe('list_incidents', () => {
  it('says there is no incident store rather than pretending there are no incidents', async () => {
    const { call } = harness();
    expect(await call('list_incidents')).toEqual({ status: 'no-data', output: 'No incident store is configured here, so there are no incidents to list.' });
  });

  it('lists open incidents from the store', async () => {
    const { prefix } = harness();
    const store = new IncidentStore(redis, prefix, catalogue);
    try {
      await store.ingest(
        [
          {
            fingerprint: 'f1',
            source: 'detector',
            status: 'firing',
            name: 'LatencyHigh',
            service: 'order-service',
            severity: 'critical',
            labels: {},
            annotations: {},
            startsAt: NOW - 10 * MINUTE,
            receivedAt: NOW - 10 * MINUTE,
            summary: 'order-service latency_p95 1.6 s',
          },
        ],
        NOW - 10 * MINUTE,
      );
      const { call } = harness({ overrides: { incidents: store, minedLogs: new MinedLogs(redis, prefix) } });
      const result = await call('list_incidents');
      expect(result.status).toBe('ok');
      expect(result.output).toMatch(/^1 open incidents, newest first \(times UTC\):\n- INC-1 open, critical, since 18:50, services order-service.*1 alerts:\n {2}· firing critical LatencyHigh: order-service latency_p95 1\.6 s$/);
    } finally {
      await store.close();
    }
  });
});

describe('rank_root_causes', () => {
  it('formats the top five with their strongest evidence and checks the services it is given', async () => {
    const asked: string[][] = [];
    const ranking = Array.from({ length: 7 }, (_, index) => ({
      service: Object.keys(catalogue.services)[index]!,
      score: 10 - index,
      evidence: Array.from({ length: 5 }, (__, item) => ({ kind: 'metric' as const, summary: `evidence ${item} ${'x'.repeat(300)}`, weight: 1, at: NOW - 19 * MINUTE })),
    }));
    const { call } = harness({
      overrides: {
        rankRootCauses: async (services) => {
          asked.push(services);
          return { ranking, anomalyStart: NOW - 20 * MINUTE };
        },
      },
    });
    const result = await call('rank_root_causes', { services: ['database', 'order-service'] });
    expect(asked).toEqual([['database', 'order-service']]);
    expect(result.status).toBe('ok');
    expect(result.output).toMatch(/^Likely root causes for trouble starting 18:40 UTC, best first/);
    expect(result.output.match(/^\d\. /gm)).toHaveLength(5);
    expect(result.output.match(/^ {3}- metric \[18:41\]: evidence \d x+…$/gm)).toHaveLength(15);
    expect(result.output).toContain('… 2 more services ranked lower');
    expect(result.output.length).toBeLessThanOrEqual(MAXIMUM_TOOL_OUTPUT_CHARACTERS);
    expect(await call('rank_root_causes', {})).toMatchObject({ status: 'ok' });
    expect(asked[1]).toEqual(Object.keys(catalogue.services));
    expect((await call('rank_root_causes', { services: ['database', 'mysql'] })).output).toMatch(/^Unknown service "mysql"; known services:/);
  });

  it('turns a failing collector into an error status', async () => {
    const { call } = harness({ overrides: { rankRootCauses: async () => Promise.reject(new Error('Prometheus is down')) } });
    expect(await call('rank_root_causes')).toEqual({ status: 'error', output: 'The root-cause ranking did not answer: Prometheus is down' });
  });
});

describe('call_graph', () => {
  it('tells what a service calls and what calls it, transitively', async () => {
    const { call } = harness();
    const result = await call('call_graph', { service: 'database' });
    expect(result.output.split('\n').slice(0, 2)).toEqual([
      'database calls: none; through them also: none',
      'database is called by: catalogue, order-service, payment, shipping, user; through them also by: checkout, frontend',
    ]);
    expect((await call('call_graph')).output).toMatch(/^Call graph of 10 catalogued services/);
  });
});

describe('propose_action', () => {
  it('records a proposal once, returns the same id when asked again, and leaves the cluster untouched', async () => {
    const { call, cluster } = harness({ scenario: 'bad-deploy' });
    const writes: string[] = [];
    for (const method of ['scale', 'rolloutRestart', 'rollback', 'deletePod'] as const) {
      const original = cluster[method].bind(cluster) as (...parts: unknown[]) => Promise<unknown>;
      (cluster as unknown as Record<string, unknown>)[method] = (...parts: unknown[]) => {
        writes.push(method);
        return original(...parts);
      };
    }
    const before = await cluster.getDeployment('shop', 'payment');
    const first = await call('propose_action', { service: 'payment', action: 'rollback', reason: '2.5.0 fails a third of charges' });
    expect(first.status).toBe('ok');
    expect(first.output).toMatch(/^Proposed rollback of payment \(image: \S+:2\.5\.0 → \S+:2\.4\.0; revision: 3 → the pod template of revision 2\) as proposal P-1; a person must approve it in Slack before anything runs\.$/);
    const again = await call('propose_action', { service: 'payment', action: 'rollback', reason: 'still failing' });
    expect(again.output).toMatch(/^Proposed rollback of payment \(.*\) as proposal P-1 \(the same proposal was already made at 19:00 UTC\); a person must approve/);
    const after = await cluster.getDeployment('shop', 'payment');
    expect({ revision: after.revision, replicas: after.replicas, image: after.image }).toEqual({ revision: before.revision, replicas: before.replicas, image: before.image });
    expect(writes).toEqual([]);
  });

  it('validates the parameters each action needs', async () => {
    const { call, cluster } = harness();
    expect((await call('propose_action', { service: 'catalogue', action: 'scale', reason: 'surge' })).output).toBe('replicas: expected a whole number of pods to scale to; nothing was proposed.');
    // Bounded by the current count (3): what an injected "scale to 50" asks is refused in code.
    expect((await call('propose_action', { service: 'catalogue', action: 'scale', replicas: 50, reason: 'surge' })).output).toBe(
      'replicas: expected 2 to 6 for catalogue, which runs 3 now (one approval at most doubles or halves it), got 50; nothing was proposed.',
    );
    expect((await call('propose_action', { service: 'catalogue', action: 'scale', replicas: 6, reason: 'surge' })).output).toMatch(/^Proposed scale of catalogue \(replicas: 3 → 6\) as proposal P-\d+;/);
    expect((await call('propose_action', { service: 'cart', action: 'delete-pod', reason: 'stuck' })).output).toBe("pod: expected the name of one of the service's pods; nothing was proposed.");
    expect((await call('propose_action', { service: 'cart', action: 'delete-pod', pod: 'payment-abc-12345', reason: 'stuck' })).output).toMatch(/^pod: payment-abc-12345 is not one of cart's pods \(cart-/);
    const pod = (await cluster.listPods('shop', 'cart'))[0]!.name;
    expect((await call('propose_action', { service: 'cart', action: 'delete-pod', pod, reason: 'stuck' })).output).toMatch(new RegExp(`^Proposed delete-pod of cart \\(pod ${pod} \\(`));
    // No rollout of cart in the last day: nothing to roll back.
    expect((await call('propose_action', { service: 'cart', action: 'rollback', reason: 'x' })).output).toMatch(/^cart has had no rollout in the last 24 h/);
    expect((await call('propose_action', { service: 'constructor', action: 'rollout-restart', reason: 'x' })).output).toMatch(/^Unknown service "constructor"/);
    expect((await call('propose_action', { service: 'carts', action: 'rollback', reason: 'x' })).status).toBe('error');
  });
});

describe('read-only tools', () => {
  it('no tool file, nor the healing code it imports, calls a cluster write', () => {
    const source = join(import.meta.dirname, '../../../src');
    const writes = /\.(scale|rolloutRestart|rollback|deletePod)\s*\(|\[\s*['"`](scale|rolloutRestart|rollback|deletePod)['"`]\s*\]/;
    const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)\.js'/g)].map((match) => join(dirname(file), `${match[1]}.ts`));
    const reached = new Set<string>();
    const pending = readdirSync(join(source, 'agent/tools')).filter((name) => name.endsWith('.ts')).map((name) => join(source, 'agent/tools', name));
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (reached.has(file)) continue;
      reached.add(file);
      // Within the tools and the healing code they import: the checks may be shared, never a write.
      if (file.includes('/agent/tools/') || file.includes('/healing/')) pending.push(...imports(file));
    }
    const healing = [...reached].filter((file) => file.includes('/healing/'));
    expect(healing.map((file) => file.slice(source.length + 1)).sort()).toContain('healing/remediation-plans.ts');
    for (const file of [...reached].filter((candidate) => candidate.includes('/agent/tools/') || candidate.includes('/healing/'))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(writes);
    }
  });

});
