import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { deterministicAnswer } from '../../src/investigation/deterministic-answer.js';
import { servicesInQuestion } from '../../src/investigation/question-services.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { testRedis } from '../support/test-redis.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
// A fresh database on the tests' own Redis: never a Redis the tests were not given.
const { redis } = await testRedis();
const prefix = `test:${randomUUID()}:`;
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});
afterAll(async () => {
  redis.disconnect();
});

function anomaly(service: string, minutesAfterFault: number, summary: string, signals: Anomaly['signals'] = ['latency_p95']): Anomaly {
  const detectedAt = FAULT_START + minutesAfterFault * MINUTE;
  return { id: `${service}:anomaly:${detectedAt}`, kind: 'anomaly', service, signals, score: 0.9, severity: 'warning', detectedAt, evidence: { start: detectedAt - 30 * MINUTE, end: detectedAt }, summary };
}

describe('servicesInQuestion', () => {
  it('finds services however they are written', () => {
    expect(servicesInQuestion(catalogue, 'why is order-service slow?')).toEqual(['order-service']);
    expect(servicesInQuestion(catalogue, 'is the Order Service or the cart broken')).toEqual(['order-service', 'cart']);
    expect(servicesInQuestion(catalogue, 'what about orderservice')).toEqual(['order-service']);
    expect(servicesInQuestion(catalogue, 'is anything on fire?')).toEqual([]);
    // The catalogue's aliases: database is also db and postgres, order-service also orders.
    expect(servicesInQuestion(catalogue, 'is the db ok?')).toEqual(['database']);
    expect(servicesInQuestion(catalogue, 'why are orders failing and is Postgres slow')).toEqual(['order-service', 'database']);
  });
});

describe('deterministicAnswer', () => {
  it('points at the dependency that went wrong first, with the deploy that came before it', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const log = new AnomalyLog(redis, prefix);
    await log.record(anomaly('payment', 1, 'payment: error_rate 35% (usually 0.09%)', ['error_rate']));
    await log.record(anomaly('checkout', 2, 'checkout: error_rate 20% (usually 0.42%)', ['error_rate']));
    const progress: string[][] = [];
    const answer = await deterministicAnswer('why does checkout fail?', [], { catalogue, cluster, metrics, anomalies: log, now: () => clock.now() }, async (partial) => void progress.push([...partial.steps]));
    expect(answer).toMatchObject({ stage: 'done', method: 'deterministic', services: ['checkout'], suspect: 'payment', suspectOwner: { team: 'payments', channel: '#shop-payments' } });
    expect(answer.conclusion).toBe('payment: error_rate 35% (usually 0.09%), after payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)');
    // Without logs to read, the deploy before the errors is what tells the kind of fault.
    expect(answer.diagnosis).toEqual({ kind: 'bad-deploy', summary: 'a bad deploy: it went wrong after payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)' });
    expect(answer.suggestions).toEqual(['Roll payment back to the revision before 2.5.0']);
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  it('says the service asked about is calm and follows the load its dependencies get to where it comes from', async () => {
    // A surge on catalogue makes database and cache busier; checkout calls both but not catalogue.
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'traffic-surge', faultStart: FAULT_START });
    const answer = await deterministicAnswer('why is checkout slow?', [], { catalogue, cluster, metrics, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer.asUsual).toHaveLength(1);
    expect(answer.asUsual?.[0]).toMatch(/^checkout shows nothing unusual: latency_p95 \d+ ms \(usually \d+ ms\), error_rate [\d.]+% \(usually [\d.]+%\)$/);
    expect(answer.steps[0]).toMatch(/^Looking at checkout and what it calls \(.*\): it shows nothing unusual and .* only busier than usual, so also at what sends (it|them) load \(.*catalogue.*\)$/);
    expect(answer.suspect).toBe('catalogue');
    expect(answer.diagnosis?.kind).toBe('traffic-surge');
    // A calm service is no symptom: nothing is ranked for moving with it.
    expect(answer.candidates?.flatMap((candidate) => candidate.evidence).join('\n')).not.toContain("checkout's");
  });

  it('says nothing is wrong when nothing is, and suspects nobody', async () => {
    const clock = new ManualClock(FAULT_START);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2 });
    const answer = await deterministicAnswer('is cart ok?', [], { catalogue, cluster, metrics, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer.suspect).toBeUndefined();
    expect(answer.servicesInAnomaly).toEqual([]);
    expect(answer.steps).toContain('No anomalies in the last 30 min');
    // What "ok" rests on, in figures.
    expect(answer.asUsual).toEqual([expect.stringMatching(/^cart shows nothing unusual: latency_p95 \d+ ms \(usually \d+ ms\), error_rate [\d.]+% \(usually [\d.]+%\)$/)]);
  });
});

describe('deterministicAnswer on a cluster it cannot read', () => {
  it('still names the suspect from the metrics, and says the changes could not be read instead of "none"', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const refusing = Object.create(cluster) as typeof cluster;
    refusing.getDeployment = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.1:6443'));
    const answer = await deterministicAnswer('why is checkout failing?', [], { catalogue, cluster: refusing, metrics, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer.suspect).toBe('payment');
    // The deploy that caused it is hidden by the cluster: the answer must not blame or clear it.
    expect(answer.recentChanges).toEqual([]);
    expect(answer.conclusion).not.toContain('2.5.0');
    const changesStep = answer.steps.find((step) => step.startsWith('No deploys'));
    expect(changesStep).toMatch(/^No deploys, rollbacks, restarts, scaling or configuration changes in the last hours; could not read the cluster for \S+ \(connect ECONNREFUSED 10\.0\.0\.1:6443\)(; the cluster for \S+ \(connect ECONNREFUSED 10\.0\.0\.1:6443\))*(; and \d+ more)?$/);
    // Checkout and what it calls: three named, the rest counted.
    expect(answer.unreadable).toEqual([...Array.from({ length: 3 }, () => expect.stringMatching(/^the cluster for \S+ \(connect ECONNREFUSED 10\.0\.0\.1:6443\)$/)), expect.stringMatching(/^and \d+ more$/)]);

    const readable = await deterministicAnswer('why is checkout failing?', [], { catalogue, cluster, metrics, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(readable.unreadable).toBeUndefined();
    expect(readable.steps.some((step) => step.includes('could not read'))).toBe(false);
  });
});

describe('deterministicAnswer without detection history', () => {
  it('finds the anomalies in the metrics against the hour before, and answers with units, advice and log evidence', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics, logs } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const answer = await deterministicAnswer('why is checkout failing?', [], { catalogue, cluster, metrics, logs, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer.suspect).toBe('payment');
    expect(answer.steps).toContain('Anomalies in the last 30 min on checkout, payment (in the metrics against the hour before for checkout, payment, which detection recorded nothing about)');
    expect(answer.conclusion).toMatch(/^payment: error_rate \d+(\.\d)?% \(usually 0\.\d+%\), after payment 2\.4\.0 → 2\.5\.0/);
    expect(answer.candidates?.[0]?.evidence[0]).toMatch(/^error_rate \d+(\.\d)?% \(normally 0\.\d+%\), far above normal, from 19:0\d:\d\d UTC$/);
    expect(answer.diagnosis?.kind).toBe('code-error');
    expect(answer.suggestions).toEqual(['Roll payment back to the revision before 2.5.0, which introduced "java.lang.NullPointerException: Cannot invoke "CardToken.value()" because "toke…"']);
    expect(answer.logEvidence?.[0]).toMatch(/^payment: (about )?\d+ error lines "java\.lang\.NullPointerException: .*" \(new since 1\d:\d\d UTC\)$/);
  });
});

describe('deterministicAnswer about a service the catalogue does not hold', () => {
  const refusing = {
    kind: 'sim' as const,
    range: async () => {
      throw new Error('no metrics should be read');
    },
    instant: async () => undefined,
    queryRange: async () => [],
    query: async () => [],
    metricNames: async () => [],
  };

  it('says it is unknown, names the catalogued services, and does not answer about the whole estate', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const answer = await deterministicAnswer('why is billing slow?', ['checkout'], { catalogue, cluster, metrics: refusing, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer).toMatchObject({ stage: 'done', services: [], unknownServices: [{ name: 'billing', suggestions: [] }], servicesInAnomaly: [], recentChanges: [] });
    expect(answer.conclusion).toBe('billing is not a catalogued service. The catalogued services are cache, cart, catalogue, checkout, database, frontend, order-service, payment, shipping, user.');
    expect(answer.suspect).toBeUndefined();
    expect(answer.steps.join('\n')).not.toMatch(/looking at all/i);
  });

  it('names the close match of a misspelt service', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster } = createSimulatedSources(catalogue, { clock, seed: 2 });
    const answer = await deterministicAnswer('is paymnet ok?', [], { catalogue, cluster, metrics: refusing, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer.conclusion).toBe('paymnet is not a catalogued service. Did you mean payment?');
  });
});
