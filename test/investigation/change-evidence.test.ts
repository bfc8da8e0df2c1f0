import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/alerts/change-event.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { collectRootCauseInput } from '../../src/investigation/collect-root-cause-input.js';
import { deterministicAnswer } from '../../src/investigation/deterministic-answer.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { ChangeEventStore } from '../../src/state/change-event-store.js';
import { testRedis } from '../support/test-redis.js';

/**
 * CI/CD's change events as evidence: stored by the webhook's store, read back by the answer and
 * the root-cause engine beside the cluster's rollouts, a configuration change weighed as one.
 */

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
afterAll(() => redis.disconnect());
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

function anomaly(service: string, minutesAfterFault: number, summary: string, signals: Anomaly['signals']): Anomaly {
  const detectedAt = FAULT_START + minutesAfterFault * MINUTE;
  return { id: `${service}:anomaly:${detectedAt}`, kind: 'anomaly', service, signals, score: 0.9, severity: 'warning', detectedAt, evidence: { start: detectedAt - 30 * MINUTE, end: detectedAt }, summary };
}

function event(overrides: Partial<ChangeEvent> & Pick<ChangeEvent, 'id' | 'service'>): ChangeEvent {
  return { kind: 'deploy', description: 'release', at: FAULT_START, origin: 'generic', ...overrides };
}

describe('change events as evidence', () => {
  it('answers with a configuration change the cluster never saw, and not twice with a rollout it did', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const anomalies = new AnomalyLog(redis, prefix);
    await anomalies.record(anomaly('payment', 1, 'payment: error_rate 35% (usually 0.09%)', ['error_rate']));
    const changeEvents = new ChangeEventStore(redis, prefix);
    // The pipeline that rolled out payment 2.5.0 reports it; Argo CD also reports a config change to checkout.
    await changeEvents.record([
      event({ id: 'run-1', service: 'payment', version: 'v2.5.0', at: FAULT_START + 20_000, description: 'new card-token flow', author: 'alice', origin: 'github' }),
      event({ id: 'cfg-9', service: 'checkout', kind: 'config', version: 'cfg-9', at: FAULT_START - 5 * MINUTE, description: 'payment timeout 5 s → 1 s', author: 'bob', origin: 'argocd' }),
    ]);
    const answer = await deterministicAnswer('why does checkout fail?', [], { catalogue, cluster, metrics, anomalies, changeEvents, now: () => clock.now() });
    expect(answer.recentChanges.map((change) => [change.kind, change.description])).toEqual([
      ['deploy', 'payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)'],
      ['config', 'checkout cfg-9: payment timeout 5 s → 1 s (by bob)'],
    ]);
    expect(answer.steps).toContain('2 recent changes (payment, checkout)');
    expect(answer.suspect).toBe('payment');
  });

  it('gives the engine a feature flag as a configuration change, which the advice reverts', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clock = new ManualClock(FAULT_START + 15 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 3, scenario: 'db-pool-exhaustion', faultStart: FAULT_START });
    const changeEvents = new ChangeEventStore(redis, prefix);
    await changeEvents.record([event({ id: 'flag-1', service: 'database', kind: 'feature-flag', description: 'nightly-report-query on', at: FAULT_START - 2 * MINUTE })]);
    const { input } = await collectRootCauseInput(Object.values(catalogue.services), { catalogue, metrics, cluster, changeEvents }, { now: clock.now(), anomalies: [], anomalyStart: FAULT_START, symptom: 'order-service' });
    expect(input.changes).toEqual([{ service: 'database', kind: 'config', at: FAULT_START - 2 * MINUTE, description: 'database: nightly-report-query on' }]);

    const log = new AnomalyLog(redis, prefix);
    await log.record(anomaly('database', 2, 'database: latency_p95 2.1 s (usually 12 ms)', ['latency_p95']));
    await log.record(anomaly('order-service', 3, 'order-service: latency_p95 2.4 s (usually 80 ms)', ['latency_p95']));
    const answer = await deterministicAnswer('why is order-service slow?', [], { catalogue, cluster, metrics, anomalies: log, changeEvents, now: () => clock.now() });
    expect(answer.suspect).toBe('database');
    expect(answer.conclusion).toMatch(/, after database: nightly-report-query on$/);
    // With no logs to read, the change before the trouble is what the fault is put down to: reverted, not rolled back.
    expect(answer.suggestions).toEqual(['Revert the configuration change to database (database: nightly-report-query on)']);
    expect(answer.recentChanges).toEqual([{ service: 'database', kind: 'feature-flag', description: 'database: nightly-report-query on', at: FAULT_START - 2 * MINUTE, origin: 'generic' }]);
  });

  it('answers from the cluster alone when the change events cannot be read', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const unreadable = { since: () => Promise.reject(new Error('Redis is gone')) };
    const answer = await deterministicAnswer('why does payment fail?', [], { catalogue, cluster, metrics, anomalies: { since: async () => [] }, changeEvents: unreadable, now: () => clock.now() });
    expect(answer.recentChanges.map((change) => change.description)).toEqual(['payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)']);
  });
});
