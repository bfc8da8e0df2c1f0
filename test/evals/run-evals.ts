/**
 * The evaluation cases (`test/evals/cases/`), answered as the bot answers in Slack and graded by
 * rule: the root cause named, decoys ruled out, evidence consulted, actions not proposed, words
 * the posted answer must contain.
 *
 *   npm run eval [-- --only <substring>] [-- --redis URL (default: a private redis-server)]
 *
 * Always runs the deterministic engine and the agent on the scripted fake LLM (our plumbing, the
 * same runs CI makes); with OPENAI_API_KEY or OPENAI_BASE_URL set (and OPENAI_MODEL), also the
 * agent on that real endpoint. Prints per method: pass rate, median and p95 answer time, tool
 * calls and tokens per case, then each failure. Answer time is `investigate()` alone: the world
 * and its detection are built first, as the bot's workers would have done before the question.
 * With the fake, which answers at once, the time is the bot's own overhead (LangChain, the tools,
 * the HTTP round trips). Redis database `--redis` holds the cases' state under random prefixes,
 * removed at the end.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { Redis } from 'ioredis';
import { createChatModel } from '../../src/agent/chat-model.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { loadConfig } from '../../src/config.js';
import { startFakeOpenAi } from '../fakes/openai-compatible.js';
import { scriptedInvestigator } from '../fakes/scripted-investigator.js';
import { answerCase, type CaseRun } from './answer-case.js';
import type { WorldCache } from './case-world.js';
import { loadEvalCases, scriptedModelName, type EvalCase } from './eval-case.js';
import { benchmarkRedis } from '../support/redis-server.js';

const { values } = parseArgs({ options: { only: { type: 'string' }, redis: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('usage: npm run eval [-- --only <substring>] [-- --redis URL (default: a private redis-server)]   (OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL add a real endpoint)');
  process.exit(0);
}

const config = loadConfig();
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const cases = loadEvalCases(fileURLToPath(new URL('./cases', import.meta.url))).filter((evalCase) => !values.only || evalCase.name.includes(values.only));
const redisServer = await benchmarkRedis(values.redis);
const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const worlds: WorldCache = new Map();
const fake = await startFakeOpenAi({ script: scriptedInvestigator });

// The scripted fake plays the model each case names (the investigator, or one that obeys injected instructions).
const scriptedModels = new Map<string, BaseChatModel>();
const scriptedModel = (evalCase: EvalCase): BaseChatModel => {
  const name = scriptedModelName(evalCase);
  if (!scriptedModels.has(name)) scriptedModels.set(name, createChatModel({ baseUrl: fake.baseUrl, model: name }, { maxRetries: 0 }));
  return scriptedModels.get(name)!;
};
const realModel = config.llm ? createChatModel(config.llm) : undefined;
const methods: Array<{ name: string; model?: (evalCase: EvalCase) => BaseChatModel }> = [
  { name: 'deterministic engine' },
  { name: 'agent, scripted fake LLM', model: scriptedModel },
  ...(config.llm && realModel ? [{ name: `agent, ${config.llm.model}${config.llm.baseUrl ? ` at ${config.llm.baseUrl}` : ''}`, model: () => realModel }] : []),
];

console.log(`${cases.length} cases, ${new Date().toISOString().slice(0, 16)} UTC, ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`);
if (!config.llm) console.log('no OPENAI_API_KEY or OPENAI_BASE_URL: the real-endpoint run is skipped');
try {
  // Detection over each world first, so answer times are answers alone.
  const buildStarted = performance.now();
  for (const evalCase of cases) await answerCase(evalCase, catalogue, redis, worlds);
  console.log(`worlds built (detection over every service): ${worlds.size} in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s\n`);

  const runs = new Map<string, CaseRun[]>();
  for (const method of methods) {
    const results: CaseRun[] = [];
    for (const evalCase of cases) results.push(await answerCase(evalCase, catalogue, redis, worlds, method.model?.(evalCase)));
    runs.set(method.name, results);
  }

  console.log('| method | passed | median answer ms | p95 answer ms | tool calls per case | tokens per case | fell back to the engine |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, results] of runs) {
    const times = results.map((run) => run.milliseconds).sort((left, right) => left - right);
    const agentRuns = results.map((run) => run.answer.agentRun).filter((run) => run !== undefined);
    const toolCalls = agentRuns.length > 0 ? (agentRuns.reduce((sum, run) => sum + run.toolCalls.length, 0) / agentRuns.length).toFixed(1) : '—';
    const tokens = agentRuns.length > 0 ? Math.round(agentRuns.reduce((sum, run) => sum + run.tokens.prompt + run.tokens.completion, 0) / agentRuns.length).toLocaleString('en') : '—';
    const fallbacks = results.filter((run) => run.answer.fallbackReason !== undefined).length;
    const passed = results.filter((run) => run.passed).length;
    console.log(`| ${name} | ${passed}/${results.length} (${((100 * passed) / results.length).toFixed(0)} %) | ${quantile(times, 0.5).toFixed(0)} | ${quantile(times, 0.95).toFixed(0)} | ${toolCalls} | ${tokens} | ${fallbacks} |`);
  }
  for (const [name, results] of runs) {
    for (const run of results.filter((result) => !result.passed)) console.log(`failed (${name}): ${run.case} — ${run.failures.join('; ')}${run.answer.fallbackReason ? ` [LLM: ${run.answer.fallbackReason}]` : ''}`);
  }
} finally {
  for (const world of worlds.values()) await (await world).cleanUp();
  await fake.close();
  await redis.quit();
  await redisServer.stop();
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
