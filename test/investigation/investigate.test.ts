import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/agent/chat-model.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { investigate } from '../../src/investigation/investigate.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { ActionProposals } from '../../src/state/action-proposals.js';
import { AnomalyLog } from '../../src/state/anomaly-log.js';
import { startFakeOpenAi, type FakeOpenAi, type ScriptEntry } from '../fakes/openai-compatible.js';
import { testRedis } from '../support/test-redis.js';

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
// A fresh database on the tests' own Redis: never a Redis the tests were not given.
const { redis } = await testRedis();
const prefix = `test:investigate:${randomUUID()}:`;
let fake: FakeOpenAi | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function ask(question: string, script: ScriptEntry[]) {
  fake = await startFakeOpenAi({ script });
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 15, 20));
  const { cluster, metrics } = createSimulatedSources(catalogue, { clock, seed: 2 });
  const answers = { catalogue, cluster, metrics, anomalies: new AnomalyLog(redis, prefix), now: () => clock.now() };
  const agent = { model: createChatModel({ baseUrl: fake.baseUrl, model: 'fake' }, { maxRetries: 0 }), tools: [], proposals: new ActionProposals(redis, prefix) };
  return investigate(question, [], { answers, agent, logger: silentLogger() });
}

describe('investigate', () => {
  it('takes the service a model names as people write it, from the root-cause line only', async () => {
    const answer = await ask('why is checkout slow?', [{ text: 'Root cause: Order Service — it waits on the database pool\nEvidence:\n- p95 1.2 s\nWhat to do:\n- restart it' }]);
    expect(answer).toMatchObject({ method: 'llm', suspect: 'order-service', conclusion: 'Order Service — it waits on the database pool', evidence: ['p95 1.2 s'], suggestions: ['restart it'], suspectOwner: { team: 'orders', channel: '#shop-orders' } });
  });

  it('names no suspect when the model names something that is not a catalogued service', async () => {
    const answer = await ask('why is checkout slow?', [{ text: 'Root cause: the network between zones — packet loss\nEvidence:\n- none' }]);
    expect(answer.method).toBe('llm');
    expect(answer.suspect).toBeUndefined();
  });

  it('answers who owns a service from the catalogue, without asking the model', async () => {
    const answer = await ask('who owns payment?', [{ text: 'Root cause: payment — a model was asked' }]);
    expect(answer).toMatchObject({ method: 'catalogue', services: ['payment'], conclusion: 'payment is owned by team payments; its incidents go to #shop-payments (Deployment payment in namespace shop)' });
    expect(fake?.requests()).toEqual([]);
  });

  it('lists what changed, without asking the model', async () => {
    const answer = await ask('what changed in the last hour?', [{ text: 'Root cause: payment — a model was asked' }]);
    expect(answer).toMatchObject({ method: 'changes', conclusion: expect.stringMatching(/anywhere in the estate in the last hour$/) });
    expect(fake?.requests()).toEqual([]);
  });

  it('answers with the root-cause engine, saying why, when the model call fails', async () => {
    const answer = await ask('is cart ok?', [{ status: 401, error: 'invalid api key' }]);
    expect(answer.method).toBe('deterministic');
    expect(answer.fallbackReason).toMatch(/model call failed.*401/);
    expect(answer.steps[0]).toMatch(/The LLM did not answer/);
  });
});
