import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { GroupDirectory } from '../../src/access/group-directory.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type HealingSettings } from '../../src/catalogue.js';
import { Healing, type HealingNotice, type ProposalInput } from '../../src/healing/healing.js';
import { silentLogger } from '../../src/logger.js';
import type { RemediationRequest } from '../../src/remediation-vocabulary.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import type { SimulatedCluster } from '../../src/sources/sim/sim-cluster.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { AuditLog } from '../../src/state/audit-log.js';
import { RemediationRequests } from '../../src/state/remediation-requests.js';

/**
 * The Healing use case as a worker and the bot run it, on the simulated shop and a real Redis of
 * the tests' own: jobs and notices are recorded instead of queued and posted, and every write the
 * cluster receives (not its dry runs) is counted.
 */

export const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
export const MINUTE = 60_000;
export const FAULT_START = Date.UTC(2026, 10, 24, 14, 0);

/** Approvers of the shop namespace: two users and one user group. */
export const APPROVERS = { shop: ['U0ALICE', 'U0BOB', 'S0SRE'] };
/** The one member of S0SRE. */
export const GROUP_MEMBER = 'U0GROUPIE';

export const groupDirectory: GroupDirectory = { members: async (group) => new Set(group === 'S0SRE' ? [GROUP_MEMBER] : []) };
export const unreadableDirectory: GroupDirectory = {
  members: async () => {
    throw new Error('missing_scope: usergroups:read');
  },
};

export interface HarnessOptions {
  scenario: string;
  minutesAfterFault?: number;
  healing?: Partial<HealingSettings>;
  dryRun?: boolean;
  directory?: GroupDirectory;
  /** Run healing.execute when an execute job is scheduled, as a worker would (default: only record it). */
  runExecuteJobs?: boolean;
}

export interface ClusterWrite {
  method: 'scale' | 'rolloutRestart' | 'rollback' | 'deletePod';
  target: string;
}

/** The healing section the tests start from, whatever the example catalogue says: the schema's defaults and APPROVERS. */
export const HEALING_DEFAULTS: Omit<HealingSettings, 'rules' | 'proposeForIncidents'> = {
  approvers: APPROVERS,
  policy: [],
  productionNamespaces: [],
  autoInProduction: false,
  requestExpiry: 15 * MINUTE,
  verifyAfter: 5 * MINUTE,
  limits: { cooldown: 10 * MINUTE, perServicePerHour: 3, unhelpfulBeforeEscalation: 2 },
};

const prefixes: string[] = [];

/** Deletes every key the harnesses made; call in afterEach. */
export async function cleanUp(redis: Redis): Promise<void> {
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
}

export function harness(redis: Redis, options: HarnessOptions) {
  const prefix = `test:healing:${randomUUID()}:`;
  prefixes.push(prefix);
  const clock = new ManualClock(FAULT_START + (options.minutesAfterFault ?? 20) * MINUTE);
  const settings: HealingSettings = { ...catalogue.healing, ...HEALING_DEFAULTS, ...options.healing };
  const sources = createSimulatedSources({ ...catalogue, healing: settings }, { clock, seed: 5, scenario: options.scenario, faultStart: FAULT_START });
  const gate: WriteGate = {};
  const writes = countWrites(sources.cluster, gate);
  const requests = new RemediationRequests(redis, prefix);
  const audit = new AuditLog(redis, prefix);
  const jobs = { proposed: [] as ProposalInput[], executed: [] as string[], verified: [] as Array<{ id: string; after: number }> };
  const notices: HealingNotice[] = [];
  const healing: Healing = new Healing({
    catalogue: { ...catalogue, healing: settings },
    cluster: sources.cluster,
    metrics: sources.metrics,
    requests,
    audit,
    directory: options.directory ?? groupDirectory,
    jobs: {
      propose: async (input) => {
        jobs.proposed.push(input);
      },
      execute: async (id) => {
        jobs.executed.push(id);
        if (options.runExecuteJobs) await healing.execute(id);
      },
      verify: async (id, after) => {
        jobs.verified.push({ id, after });
      },
    },
    notify: async (notice) => {
      notices.push(notice);
    },
    now: () => clock.now(),
    dryRun: options.dryRun ?? false,
    logger: silentLogger(),
    leaseMilliseconds: 30_000,
  });
  return { healing, requests, audit, clock, cluster: sources.cluster, metrics: sources.metrics, world: sources.world, writes, gate, jobs, notices, prefix, settings };
}

export type Harness = ReturnType<typeof harness>;

/** Set `beforeWrite` to hold every real write until it resolves (to interleave two executions deterministically). */
export interface WriteGate {
  beforeWrite?: () => Promise<void>;
}

/** Records every real write (dry runs excluded) sent to the cluster, waits at the gate, then passes it on. */
function countWrites(cluster: SimulatedCluster, gate: WriteGate): ClusterWrite[] {
  const writes: ClusterWrite[] = [];
  const scale = cluster.scale.bind(cluster);
  const rolloutRestart = cluster.rolloutRestart.bind(cluster);
  const rollback = cluster.rollback.bind(cluster);
  const deletePod = cluster.deletePod.bind(cluster);
  cluster.scale = async (namespace, name, replicas, writeOptions) => {
    if (!writeOptions?.dryRun) {
      writes.push({ method: 'scale', target: `${namespace}/${name}` });
      await gate.beforeWrite?.();
    }
    return scale(namespace, name, replicas, writeOptions);
  };
  cluster.rolloutRestart = async (namespace, name, writeOptions) => {
    if (!writeOptions?.dryRun) {
      writes.push({ method: 'rolloutRestart', target: `${namespace}/${name}` });
      await gate.beforeWrite?.();
    }
    return rolloutRestart(namespace, name, writeOptions);
  };
  cluster.rollback = async (namespace, name, toRevision, writeOptions) => {
    if (!writeOptions?.dryRun) {
      writes.push({ method: 'rollback', target: `${namespace}/${name}` });
      await gate.beforeWrite?.();
    }
    return rollback(namespace, name, toRevision, writeOptions);
  };
  cluster.deletePod = async (namespace, name, writeOptions) => {
    if (!writeOptions?.dryRun) {
      writes.push({ method: 'deletePod', target: `${namespace}/${name}` });
      await gate.beforeWrite?.();
    }
    return deletePod(namespace, name, writeOptions);
  };
  return writes;
}

export const request = (action: RemediationRequest['action'], service: string, extra: Partial<RemediationRequest> = {}): RemediationRequest => ({ action, service, namespace: 'shop', deployment: service, ...extra });

export const THREAD = { channel: 'C0INCIDENT', threadTs: '1700000000.000100' };

export function proposal(request: RemediationRequest, extra: Partial<ProposalInput> = {}): ProposalInput {
  return { request, reason: 'payment 2.5.0 fails a third of charges since its rollout', requestedBy: 'aiops', severity: 'critical', signals: [], thread: THREAD, ...extra };
}

/** Proposes and expects a new pending (or auto-approved) request. */
export async function proposed(h: Harness, input: ProposalInput) {
  const outcome = await h.healing.propose(input);
  if (!outcome.ok) throw new Error(`expected a request, got: ${outcome.problem}`);
  return outcome.record;
}

export async function statusOf(h: Harness, id: string) {
  return (await h.requests.get(id))?.record.status;
}

export async function auditActions(h: Harness): Promise<string[]> {
  return (await h.audit.recent(100)).map((entry) => entry.action).reverse();
}

export function noticesOf<Kind extends HealingNotice['kind']>(h: Harness, kind: Kind): Array<Extract<HealingNotice, { kind: Kind }>> {
  return h.notices.filter((notice): notice is Extract<HealingNotice, { kind: Kind }> => notice.kind === kind);
}
