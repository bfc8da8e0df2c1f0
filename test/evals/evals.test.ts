import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { deterministicAnswer } from '../../src/conversations/deterministic-answer.js';
import { answerMessage } from '../../src/slack/blocks/answer-message.js';
import { caseWorld, type WorldCache } from './case-world.js';
import { loadEvalCases } from './eval-case.js';
import { grade } from './grade.js';

/**
 * The evaluation cases in CI: the deterministic engine answers each one from the product's own
 * detection over the simulated world (testing our reasoning). The agent's run of the same cases
 * against the scripted fake LLM lives beside it; `npm run eval` adds a real endpoint.
 */
const CASES_DIRECTORY = fileURLToPath(new URL('./cases', import.meta.url));
const cases = loadEvalCases(CASES_DIRECTORY);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const redis = new Redis('redis://127.0.0.1:6379', { db: 7, maxRetriesPerRequest: 1 });
const worlds: WorldCache = new Map();

afterAll(async () => {
  for (const world of worlds.values()) await (await world).cleanUp();
  await redis.quit();
});

describe('evaluation cases', () => {
  it('has at least 20 cases covering every kind the issue names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(cases.some((evalCase) => evalCase.expect.rootCause === 'none')).toBe(true);
    expect(cases.some((evalCase) => evalCase.world.metrics === 'down')).toBe(true);
    expect(cases.some((evalCase) => evalCase.world.injectedLog)).toBe(true);
  });
});

describe.each(cases.map((evalCase) => [evalCase.name, evalCase] as const))('deterministic engine: %s', (_name, evalCase) => {
  it('names the right root cause, rules out the decoys and proposes nothing', async () => {
    const { world, metrics } = await caseWorld(evalCase, catalogue, redis, worlds);
    const answer = await deterministicAnswer(evalCase.question, [], { catalogue, cluster: world.sources.cluster, metrics, anomalies: world.anomalies, now: () => world.clock.now() });
    const posted = JSON.stringify(answerMessage(answer, { now: world.clock.now() }));
    const outcome = grade(evalCase, answer, posted, undefined);
    expect(outcome.failures, `${evalCase.question} → ${answer.conclusion ?? 'no conclusion'}`).toEqual([]);
  }, 60_000);
});
