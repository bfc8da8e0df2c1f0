import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { Healing } from '../../src/healing/healing.js';
import { createHealingQueues, HEALING_LOCK_MILLISECONDS, healingJobs, type HealingQueues } from '../../src/jobs/healing-jobs.js';
import { silentLogger } from '../../src/logger.js';
import { KubernetesCluster } from '../../src/sources/kubernetes/kubernetes-cluster.js';
import type { RemediationRecord } from '../../src/state/remediation-requests.js';
import { openState, type State } from '../../src/state/state.js';
import { startFakeKubernetes, type FakeKubernetes } from '../fakes/kubernetes-api.js';
import { freePort } from '../support/free-port.js';
import { testRedis } from '../support/test-redis.js';
import { until } from '../support/until.js';

/**
 * Issue 15's last acceptance point: a worker killed (SIGKILL) between claiming an approved request
 * and running it. Two real `aiops worker` processes against the fake Kubernetes API over HTTP and
 * this suite's Redis: the first claims the request and is killed while it re-reads the target
 * (the fake holds that read); once its claim lapses, BullMQ hands the job to the second, which
 * scales exactly once.
 */

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { url: REDIS_URL, redis } = await testRedis();
let kubernetes: FakeKubernetes;
let directory: string;
let kubeconfig: string;
let state: State;
let queues: HealingQueues;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  await redis.flushdb();
  kubernetes = await startFakeKubernetes();
  directory = mkdtempSync(join(tmpdir(), 'aiops-healing-crash-'));
  kubeconfig = join(directory, 'config');
  const cluster = `- name: fake\n  cluster:\n    server: ${kubernetes.url}\n    insecure-skip-tls-verify: true`;
  writeFileSync(kubeconfig, ['apiVersion: v1', 'kind: Config', 'clusters:', cluster, 'users:', `- name: executor\n  user:\n    token: ${kubernetes.token}`, 'contexts:', '- name: fake\n  context:\n    cluster: fake\n    user: executor', 'current-context: fake'].join('\n'));
  state = await openState({ redisUrl: REDIS_URL, catalogue, logger: silentLogger(), queues: true });
  queues = createHealingQueues(state.queueConnection!);
});

afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) process.kill(-worker.pid!, 'SIGKILL');
  await queues?.close();
  await state?.close();
  await kubernetes?.close();
  rmSync(directory, { recursive: true, force: true });
  await redis.flushdb();
  await redis.quit();
});

async function startWorker(): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL, KUBECONFIG: kubeconfig, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  workers.push(child);
  await until(() => fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false), 'the worker up', 30_000);
  return child;
}

async function record(id: string): Promise<RemediationRecord> {
  return JSON.parse((await redis.hget('aiops:healing:body', id))!) as RemediationRecord;
}

const realScales = () => kubernetes.requests.filter((request) => request.method === 'PATCH' && request.path === '/apis/apps/v1/namespaces/shop/deployments/order-service/scale' && request.query.dryRun === undefined);

describe('a worker killed between claim and execution (issue 15)', () => {
  it('runs the action exactly once after recovery', async () => {
    const jobs = healingJobs(queues);
    const healing = new Healing({
      catalogue,
      cluster: new KubernetesCluster({ kubeConfig: kubernetes.kubeConfig() }),
      metrics: { instant: async () => undefined },
      requests: state.stores.remediations,
      audit: state.stores.audit,
      directory: { members: async (group) => new Set(group === 'S0SHOPSRE' ? ['U0SRE'] : []) },
      jobs,
      notify: async () => undefined,
      now: Date.now,
      dryRun: false,
      logger: silentLogger(),
      leaseMilliseconds: HEALING_LOCK_MILLISECONDS,
    });
    const proposed = await healing.propose({ request: { action: 'scale', service: 'order-service', namespace: 'shop', deployment: 'order-service', replicas: 5 }, reason: 'order-service saturated by more traffic', requestedBy: 'aiops', severity: 'critical', signals: [] });
    expect(proposed.ok).toBe(true);
    const id = proposed.ok ? proposed.record.id : '';
    expect(kubernetes.requests.filter((request) => request.method === 'PATCH' && request.query.dryRun === 'All')).toHaveLength(1);

    // The first worker claims, then re-reads the deployment: that read never comes back.
    const reread = kubernetes.hold((request) => request.method === 'GET' && request.path === '/apis/apps/v1/namespaces/shop/deployments/order-service');
    const first = await startWorker();
    const approved = await healing.approve(id, 'U0SRE');
    expect(approved.allowed && approved.result).toEqual({ kind: 'approved' });
    await reread.reached;
    const claimed = await record(id);
    expect(claimed.status).toBe('executing');
    expect(claimed.execution?.worker.startsWith(`${first.pid}-`)).toBe(true);
    process.kill(-first.pid!, 'SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    reread.release();
    expect(realScales()).toHaveLength(0);

    // Another worker takes the job over once the first one's lock lapses, and scales once.
    const second = await startWorker();
    await until(async () => (await record(id)).status === 'done', `${id} done by the second worker`, 100_000);
    const done = await record(id);
    expect(done.execution?.worker.startsWith(`${second.pid}-`)).toBe(true);
    expect(realScales()).toHaveLength(1);
    expect(kubernetes.storedValue('deployments', 'shop', 'order-service', '/spec/replicas')).toBe(5);

    // Nothing more runs later: a second delivery of the job finds it done.
    await healing.execute(id);
    expect(realScales()).toHaveLength(1);
    process.kill(-second.pid!, 'SIGTERM');
  }, 150_000);
});
