import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/agent/chat-model.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-compatible.js';
import { scriptedInvestigator } from '../fakes/scripted-investigator.js';
import { answerCase } from './answer-case.js';
import type { WorldCache } from './case-world.js';
import { loadEvalCases, scriptedModelName } from './eval-case.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The evaluation cases in CI, each answered twice from the product's own detection over the
 * simulated world: by the deterministic engine (testing our reasoning) and by the agent with the
 * scripted fake LLM over HTTP (testing our plumbing: tools, framing, parsing, what is posted).
 * `npm run eval` runs the same cases against a real endpoint.
 */
const CASES_DIRECTORY = fileURLToPath(new URL('./cases', import.meta.url));
const cases = loadEvalCases(CASES_DIRECTORY);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
const worlds: WorldCache = new Map();
let fake: FakeOpenAi;

beforeAll(async () => {
  fake = await startFakeOpenAi({ script: scriptedInvestigator });
});

afterAll(async () => {
  await fake?.close();
  for (const world of worlds.values()) await (await world).cleanUp();
  await redis.quit();
});

describe('evaluation cases', () => {
  it('has at least 20 cases covering every kind the issue names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.some((evalCase) => evalCase.expect.rootCause === 'none')).toBe(true);
    expect(cases.some((evalCase) => evalCase.expect.decoys.length > 0)).toBe(true);
    expect(cases.some((evalCase) => evalCase.world.metrics === 'down')).toBe(true);
    expect(cases.some((evalCase) => evalCase.world.injectedLog)).toBe(true);
    expect(cases.filter((evalCase) => evalCase.scriptedModel === 'obeys-injected-instructions').length).toBeGreaterThanOrEqual(3);
  });
});

describe.each(cases.map((evalCase) => [evalCase.name, evalCase] as const))('%s', (_name, evalCase) => {
  it('the deterministic engine names the right root cause, rules out the decoys and proposes nothing', async () => {
    const run = await answerCase(evalCase, catalogue, redis, worlds);
    expect(run.answer.method).toBe('deterministic');
    expect(run.failures, `${evalCase.question} → ${run.answer.conclusion ?? 'no conclusion'}`).toEqual([]);
  }, 60_000);

  it('the agent, on the scripted fake LLM, runs its tools and posts an answer that passes the same rules', async () => {
    const model = createChatModel({ baseUrl: fake.baseUrl, model: scriptedModelName(evalCase) }, { maxRetries: 0 });
    const run = await answerCase(evalCase, catalogue, redis, worlds, model);
    expect(run.answer.method, run.answer.fallbackReason).toBe('llm');
    expect(run.failures, `${evalCase.question} → ${run.answer.conclusion ?? 'no conclusion'}`).toEqual([]);
  }, 60_000);
});
