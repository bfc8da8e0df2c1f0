import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/alerts/correlate.js';
import { incidentContext } from '../../src/incidents/incident-context.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from '../../src/catalogue.js';
import type { Cluster, ClusterEvent, Deployment, DeploymentRevision } from '../../src/sources/cluster.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

function incident(services: string[], firstSeen: number): Incident {
  return { id: 'INC-1', status: 'open', flapping: false, services, origin: services[0], severity: 'critical', alerts: {}, firstSeen, lastSeen: firstSeen };
}

function simulated(scenario: string, minutesAfterFault: number) {
  const clock = new ManualClock(FAULT_START + minutesAfterFault * MINUTE);
  return { clock, ...createSimulatedSources(catalogue, { clock, seed: 5, scenario, faultStart: FAULT_START }) };
}

describe('incidentContext on the simulated world', () => {
  it('tells a memory leak by its deploy and the OOM kills and back-offs since, newest first', async () => {
    const { cluster, clock } = simulated('memory-leak', 40);
    const lines = await incidentContext(cluster, catalogue, incident(['cart', 'checkout'], FAULT_START + 20 * MINUTE), clock.now());
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Warning (OOMKilling|BackOff) on cart \(2 pods, 2 times\): .+ — 19:39 UTC, 20 min after the first alert$/);
    expect(lines.slice(0, 2).map((line) => line.split(' ')[1]).sort()).toEqual(['BackOff', 'OOMKilling']);
    expect(lines[2]).toBe('Deploy: cart 3.1.0 → 3.2.0 (deploy cart 3.2.0: session cache) — 19:00 UTC, 20 min before the first alert');
  });

  it('tells a crash loop by its deploy and the back-offs', async () => {
    const { cluster, clock } = simulated('crash-loop', 10);
    const lines = await incidentContext(cluster, catalogue, incident(['shipping'], FAULT_START + 2 * MINUTE), clock.now());
    expect(lines).toEqual([
      expect.stringMatching(/^Warning BackOff on shipping \(2 pods, 10 times\): Back-off restarting failed container shipping in pod shipping-\S+ — 19:05 UTC, 3 min after the first alert$/),
      'Deploy: shipping 1.3.0 → 1.4.0 (deploy shipping 1.4.0: carrier config from ConfigMap shipping-config) — 19:00 UTC, 2 min before the first alert',
    ]);
  });

  it('leaves out what happened before the look-behind, and services outside the incident', async () => {
    const { cluster, clock } = simulated('memory-leak', 40);
    // First alert 35 minutes after the deploy: the deploy is outside the default 30 minutes.
    const late = await incidentContext(cluster, catalogue, incident(['cart'], FAULT_START + 35 * MINUTE), clock.now());
    expect(late.some((line) => line.startsWith('Deploy'))).toBe(false);
    expect(late.some((line) => line.startsWith('Warning OOMKilling on cart'))).toBe(true);
    const longer = await incidentContext(cluster, catalogue, incident(['cart'], FAULT_START + 35 * MINUTE), clock.now(), { lookBehindMilliseconds: 40 * MINUTE });
    expect(longer.some((line) => line.startsWith('Deploy: cart'))).toBe(true);
    expect(await incidentContext(cluster, catalogue, incident(['checkout', 'not-catalogued'], FAULT_START + 20 * MINUTE), clock.now())).toEqual([]);
  });
});

/** A cluster that holds exactly what a test gives it. */
function handMadeCluster(deployments: Record<string, DeploymentRevision[]>, events: ClusterEvent[], failing = false): Cluster {
  const refuse = () => Promise.reject(new Error('read-only test cluster'));
  const deployment = (name: string): Deployment => {
    const revisions = deployments[name];
    if (!revisions) throw new Error(`deployment ${name} not found`);
    const current = revisions.at(-1)!;
    return { namespace: 'shop', name, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, image: current.image, revision: current.revision, revisions, resources: {}, selector: { app: name } };
  };
  return {
    kind: 'kubernetes',
    listDeployments: async () => Object.keys(deployments).map(deployment),
    getDeployment: async (_namespace, name) => (failing ? refuse() : deployment(name)),
    listPods: async () => [],
    getAutoscaler: async () => undefined,
    listEvents: async (namespace, involvedName) =>
      failing ? refuse() : events.filter((event) => event.namespace === namespace && (involvedName === undefined || event.involvedName === involvedName)),
    scale: refuse,
    rolloutRestart: refuse,
    rollback: refuse,
    deletePod: refuse,
  };
}

function warning(reason: string, involvedName: string, at: number, message = `${reason} happened`, count = 1): ClusterEvent {
  return { namespace: 'shop', type: 'Warning', reason, message, involvedKind: 'Pod', involvedName, count, lastTimestamp: at };
}

/** The example catalogue plus `payment-gateway`, whose pods' names start like payment's. */
const withGateway: Catalogue = {
  ...catalogue,
  services: { ...catalogue.services, 'payment-gateway': { ...catalogue.services.payment!, name: 'payment-gateway', deployment: 'payment-gateway', dependencies: [] } },
};

describe('incidentContext on a hand-made cluster', () => {
  const firstSeen = FAULT_START;
  const now = FAULT_START + 30 * MINUTE;
  const revision = (number: number, version: string, at: number, changeCause?: string): DeploymentRevision => ({
    revision: number,
    replicaSet: `payment-${number}`,
    image: `registry/payment:${version}`,
    createdAt: at,
    changeCause,
  });

  it('counts warnings of one reason on one service once, and attributes pods to the longest matching deployment', async () => {
    const cluster = handMadeCluster({ payment: [revision(1, '1.0.0', FAULT_START - 5 * 60 * MINUTE)], 'payment-gateway': [revision(1, '1.0.0', FAULT_START - 5 * 60 * MINUTE)] }, [
      warning('BackOff', 'payment-7d9f8c6b5d-abcde', now - 5 * MINUTE, 'Back-off restarting failed container', 3),
      warning('BackOff', 'payment-7d9f8c6b5d-fghij', now - 2 * MINUTE, 'Back-off restarting failed container payment', 4),
      // A ReplicaSet name that payment's pattern would take too: the longer deployment name owns it.
      { ...warning('FailedCreate', 'payment-gateway-5c4b3a2d1e', now - MINUTE, 'pods "payment-gateway-5c4b3a2d1e-x" is forbidden: exceeded quota'), involvedKind: 'ReplicaSet' },
      { ...warning('Unhealthy', 'payment-7d9f8c6b5d-abcde', now - 3 * MINUTE), type: 'Normal' },
      warning('Unhealthy', 'payments-report-1', now - 3 * MINUTE),
    ]);
    expect(await incidentContext(cluster, withGateway, incident(['payment'], firstSeen), now)).toEqual([
      'Warning BackOff on payment (2 pods, 7 times): Back-off restarting failed container payment — 19:28 UTC, 28 min after the first alert',
    ]);
    expect(await incidentContext(cluster, withGateway, incident(['payment-gateway'], firstSeen), now)).toEqual([
      'Warning FailedCreate on payment-gateway: pods "payment-gateway-5c4b3a2d1e-x" is forbidden: exceeded quota — 19:29 UTC, 29 min after the first alert',
    ]);
  });

  it('keeps at most five lines, newest first, yet keeps the deploys against a flood of warnings', async () => {
    const reasons = ['BackOff', 'Unhealthy', 'OOMKilling', 'FailedScheduling', 'FailedMount', 'Evicted'];
    const cluster = handMadeCluster(
      {
        payment: [
          revision(1, '2.3.0', FAULT_START - 5 * 60 * MINUTE),
          revision(2, '2.4.0', FAULT_START - 20 * MINUTE, 'deploy payment 2.4.0'),
          revision(3, '2.5.0', FAULT_START - 10 * MINUTE, 'deploy payment 2.5.0'),
        ],
      },
      reasons.map((reason, index) => warning(reason, 'payment-7d9f8c6b5d-abcde', now - index * MINUTE, `${reason} ${'x'.repeat(300)}`)),
    );
    const lines = await incidentContext(cluster, catalogue, incident(['payment'], firstSeen), now);
    expect(lines).toHaveLength(5);
    expect(lines.map((line) => line.split(':')[0])).toEqual(['Warning BackOff on payment', 'Warning Unhealthy on payment', 'Warning OOMKilling on payment', 'Deploy', 'Deploy']);
    expect(lines[3]).toBe('Deploy: payment 2.4.0 → 2.5.0 (deploy payment 2.5.0) — 18:50 UTC, 10 min before the first alert');
    // A log line is cut to its gist.
    expect(lines[0]!.length).toBeLessThan(220);
    expect(lines[0]).toContain('…');
    expect(await incidentContext(cluster, catalogue, incident(['payment'], firstSeen), now, { maximumLines: 2 })).toHaveLength(2);
  });

  it('leaves out events after now and, from a cluster it cannot read, says what it could not read instead of failing', async () => {
    const future = handMadeCluster({ payment: [revision(1, '1.0.0', FAULT_START - 5 * 60 * MINUTE)] }, [warning('BackOff', 'payment-7d9f8c6b5d-abcde', now + MINUTE)]);
    expect(await incidentContext(future, catalogue, incident(['payment'], firstSeen), now)).toEqual([]);
    const broken = handMadeCluster({}, [], true);
    const lines = await incidentContext(broken, catalogue, incident(['payment', 'cart'], firstSeen), now);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Could not read (the cluster for (payment|cart)|the events of namespace shop) \(.+\); .+: deploys and warnings may be missing$/);
    expect(lines[0]).toContain('the cluster for payment (');
    expect(lines[0]).toContain('the cluster for cart (');
    expect(lines[0]).toContain('the events of namespace shop (read-only test cluster)');
  });
});
