import { describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { AnswerDependencies } from '../../src/investigation/deterministic-answer.js';
import { remediationForIncident } from '../../src/investigation/remediation-for-incident.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import type { Autoscaler, Cluster } from '../../src/sources/cluster.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';

/**
 * The engine's proposal for an incident (issue 15, point 2), with no LLM: the catalogue's healing
 * rule for the fault the root-cause engine diagnoses on the incident's services. The incident names
 * the services that alerted; which one to act on, and how, is the engine's finding.
 */

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 15, 0);

/** `autoscaler` gives every deployment a HorizontalPodAutoscaler with that range (the simulated shop has none). */
async function proposalFor(scenario: string, services: string[], minutesIn: number, autoscaler?: (current: number) => Autoscaler) {
  const clock = new ManualClock(FAULT_START + minutesIn * MINUTE);
  const sources = createSimulatedSources(catalogue, { clock, seed: 21, scenario, faultStart: FAULT_START });
  const cluster: Cluster = autoscaler
    ? Object.assign(Object.create(sources.cluster) as Cluster, {
        getAutoscaler: async (namespace: string, deployment: string) => autoscaler((await sources.cluster.getDeployment(namespace, deployment)).replicas),
      })
    : sources.cluster;
  const answers: AnswerDependencies = { catalogue, cluster, metrics: sources.metrics, logs: sources.logs, anomalies: { since: async () => [] }, now: () => clock.now() };
  return { suggestion: await remediationForIncident({ services }, answers), sources };
}

describe('the engine proposes from the catalogue rules', () => {
  it('a bad deploy: roll payment back, with the signals to verify', async () => {
    const { suggestion } = await proposalFor('bad-deploy', ['checkout', 'payment'], 15);
    expect(suggestion?.request).toMatchObject({ action: 'rollback', service: 'payment', namespace: 'shop', deployment: 'payment' });
    expect(suggestion?.reason).toMatch(/payment/);
  });

  it('a traffic surge: scale catalogue out with a replica count above the current one, within what one approval may set', async () => {
    const { suggestion, sources } = await proposalFor('traffic-surge', ['frontend', 'catalogue'], 20);
    expect(suggestion?.request).toMatchObject({ action: 'scale', service: 'catalogue' });
    const current = (await sources.cluster.getDeployment('shop', 'catalogue')).replicas;
    expect(suggestion!.request.replicas).toBeGreaterThan(current);
    expect(suggestion!.request.replicas).toBeLessThanOrEqual(Math.max(2 * current, current + 3));
    // More pods do not bring the requests down: it is verified by the symptoms instead.
    expect(suggestion!.signals.map((signal) => signal.metric)).not.toContain('request_rate');
  });

  it('a traffic surge under a HorizontalPodAutoscaler: the count stops at its maximum, and none is proposed at it', async () => {
    const { suggestion, sources } = await proposalFor('traffic-surge', ['frontend', 'catalogue'], 20, (current) => ({ name: 'catalogue', minReplicas: 1, maxReplicas: current + 1 }));
    const current = (await sources.cluster.getDeployment('shop', 'catalogue')).replicas;
    expect(suggestion?.request).toMatchObject({ action: 'scale', service: 'catalogue', replicas: current + 1 });

    const atMaximum = await proposalFor('traffic-surge', ['frontend', 'catalogue'], 20, (current) => ({ name: 'catalogue', minReplicas: 1, maxReplicas: current }));
    expect(atMaximum.suggestion).toBeUndefined();
  });

  it('memory growing to OOM kills: restart cart', async () => {
    const { suggestion } = await proposalFor('memory-leak', ['cart'], 50);
    expect(suggestion?.request).toMatchObject({ action: 'rollout-restart', service: 'cart' });
  });

  it('nothing wrong: no proposal', async () => {
    const { suggestion } = await proposalFor('bad-deploy', ['catalogue'], -30);
    expect(suggestion).toBeUndefined();
  });
});
