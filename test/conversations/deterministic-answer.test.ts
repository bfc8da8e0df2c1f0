import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { deterministicAnswer } from '../../src/conversations/deterministic-answer.js';
import { servicesInQuestion } from '../../src/conversations/question-services.js';
import type { Anomaly } from '../../src/detection/anomaly.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefix = `test:${randomUUID()}:`;
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);

afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});
afterAll(async () => {
  await redis.quit();
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
  });
});

describe('deterministicAnswer', () => {
  it('points at the dependency that went wrong first, with the deploy that came before it', async () => {
    const clock = new ManualClock(FAULT_START + 20 * MINUTE);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
    const log = new AnomalyLog(redis, prefix);
    await log.record(anomaly('payment', 1, 'payment: error_rate 35.0% errors (usually 0.1% errors)', ['error_rate']));
    await log.record(anomaly('checkout', 2, 'checkout: error_rate 20.0% errors (usually 0.4% errors)', ['error_rate']));
    const progress: string[][] = [];
    const answer = await deterministicAnswer('why does checkout fail?', [], { catalogue, cluster, metrics, anomalies: log, now: () => clock.now() }, async (partial) => void progress.push([...partial.steps]));
    expect(answer).toMatchObject({ stage: 'done', method: 'deterministic', services: ['checkout'], suspect: 'payment' });
    expect(answer.conclusion).toBe('payment: error_rate 35.0% errors (usually 0.1% errors), after payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)');
    expect(answer.suggestions[0]).toBe('Roll payment back to the revision before 2.5.0');
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  it('says nothing is wrong when nothing is, and suspects nobody', async () => {
    const clock = new ManualClock(FAULT_START);
    const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2 });
    const answer = await deterministicAnswer('is cart ok?', [], { catalogue, cluster, metrics, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() });
    expect(answer.suspect).toBeUndefined();
    expect(answer.servicesInAnomaly).toEqual([]);
    expect(answer.steps).toContain('No anomalies in the last 30 min');
  });
});
