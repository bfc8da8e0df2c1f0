import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { changesAnswer } from '../../src/investigation/changes-answer.js';
import { changesQuestion } from '../../src/investigation/changes-question.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { ChangeEventStore } from '../../src/state/change-event-store.js';
import { testRedis } from '../support/test-redis.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
// A fresh database on the tests' own Redis: never a Redis the tests were not given.
const { redis } = await testRedis();
const prefix = `test:${randomUUID()}:`;
const MINUTE = 60_000;
const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const NOW = FAULT_START + 20 * MINUTE;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** The bad-deploy world 20 minutes after payment 2.5.0 went out, and a configuration change of cart sent by CI/CD 3 hours ago. */
async function world() {
  const clock = new ManualClock(NOW);
  const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2, scenario: 'bad-deploy', faultStart: FAULT_START });
  const changeEvents = new ChangeEventStore(redis, prefix);
  await changeEvents.record([{ id: 'ci-1', service: 'cart', kind: 'config', description: 'cart: session TTL 30m → 10m', at: NOW - 180 * MINUTE, origin: 'generic' }]);
  return { catalogue, cluster, metrics, anomalies: new AnomalyLog(redis, prefix), changeEvents, now: () => clock.now() };
}

describe('changesQuestion', () => {
  it('reads the window a question names, six hours when none, a week at most', () => {
    const window = (question: string) => changesQuestion(catalogue, question, [], NOW)?.window;
    expect(window('what changed in the last hour?')).toBe('in the last hour');
    expect(window('any deploys in the past 30 minutes')).toBe('in the last 30 minutes');
    expect(window('what was deployed in the last 2 days')).toBe('in the last 2 days');
    expect(window('recent changes')).toBe('in the last 6 hours');
    expect(window('any deploys today?')).toBe('today (since 00:00 UTC)');
    expect(window('what changed in the last 90 days')).toBe('in the last 7 days (a week at most is read)');
    expect(changesQuestion(catalogue, 'any deploys today?', [], NOW)?.since).toBe(Date.UTC(2026, 10, 24));
  });

  it('reads back a week for "when", and takes who made a change as a question about changes', () => {
    expect(changesQuestion(catalogue, 'when was payment last deployed?', [], NOW)).toMatchObject({ services: ['payment'], window: 'in the last 7 days' });
    expect(changesQuestion(catalogue, 'who deployed payment?', [], NOW)?.services).toEqual(['payment']);
  });

  it('leaves trouble and every other question to the investigation', () => {
    for (const question of [
      'what changed before checkout got slow?',
      'why is payment failing after the deploy?',
      'did the deploy break payment?',
      'which deploy caused this?',
      'was it the last release?',
      'who can approve a rollback?',
      'who owns payment?',
      'is anything wrong?',
      'what does checkout depend on?',
    ]) {
      expect(changesQuestion(catalogue, question, [], NOW), question).toBeUndefined();
    }
  });
});

describe('changesAnswer', () => {
  it('lists what changed across the estate in the window asked, newest first, counted by kind', async () => {
    const answer = await changesAnswer('what changed in the last 4 hours?', [], await world());
    expect(answer).toMatchObject({ method: 'changes', stage: 'done', conclusion: '2 changes: 1 deploy, 1 configuration change anywhere in the estate in the last 4 hours' });
    expect(answer?.recentChanges.map((change) => [change.service, change.kind])).toEqual([['payment', 'deploy'], ['cart', 'config']]);
  });

  it('keeps to the services and window asked about, and says so when nothing changed', async () => {
    const dependencies = await world();
    expect((await changesAnswer('what changed in the last hour?', [], dependencies))?.conclusion).toBe('1 deploy anywhere in the estate in the last hour');
    expect((await changesAnswer('any deploys to cart in the last hour?', [], dependencies))?.conclusion).toBe('No deploys, rollbacks, restarts, scaling or configuration changes on cart in the last hour');
    expect((await changesAnswer('and what changed there?', ['payment'], dependencies))?.recentChanges.map((change) => change.description)).toEqual(['payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)']);
  });

  it('names what it could not read, three at most and a count of the rest, when the cluster refuses', async () => {
    const dependencies = await world();
    const refusing = Object.create(dependencies.cluster) as typeof dependencies.cluster;
    refusing.getDeployment = () => Promise.reject(new Error('the server has asked for the client to provide credentials'));
    const answer = await changesAnswer('what changed in the last 4 hours?', [], { ...dependencies, cluster: refusing });
    // The change event sent by CI/CD still stands; the cluster's rollouts are missing, and the answer says so.
    expect(answer?.recentChanges.map((change) => [change.service, change.kind])).toEqual([['cart', 'config']]);
    expect(answer?.unreadable).toEqual([
      'the cluster for frontend (the server has asked for the client to provide credentials)',
      'the cluster for checkout (the server has asked for the client to provide credentials)',
      'the cluster for order-service (the server has asked for the client to provide credentials)',
      'and 7 more',
    ]);
    expect((await changesAnswer('what changed in the last 4 hours?', [], dependencies))?.unreadable).toBeUndefined();
  });
});
