/**
 * How long a question takes to answer against a REAL Prometheus, not only the simulated world.
 *
 *   npm run bench:ask [-- --scenario db-pool-exhaustion] [-- --repeats 5] [-- --redis URL (default: a private redis-server)]
 *
 * The issue's target: a question answered without an LLM in under 5 s; with the fake LLM, under
 * 2 s of our own overhead. Over the simulated world an answer takes tens of milliseconds, which
 * says nothing about production, where the engine makes a range query per service in scope and
 * signal. So the bench builds the scenario's world at fault start + 20 min with the product's own
 * detection run into an AnomalyLog in Redis (as the evals do), exports the world's history to
 * OpenMetrics, backfills it with promtool, starts a real Prometheus on a free port, and asks the
 * same questions, alternating, through three paths:
 *
 *   (a) the root-cause engine over the simulated metrics;
 *   (b) the root-cause engine over Prometheus (PrometheusMetrics with the catalogue; the simulated
 *       cluster and the anomaly log stay the same);
 *   (c) the agent on the scripted fake LLM over Prometheus (tools from createTools over the
 *       Prometheus metrics). The fake answers at once, so its time is our own overhead;
 *   (b60) a diagnostic, not the product: (b) with every range query's step forced to 60 s, the
 *       exported history's resolution (the world ticks once a minute, as a Prometheus on its
 *       default 1 m scrape interval would hold it), to tell a slow source from a misread one.
 *
 * Every path's metrics source is counted: range queries per answer, how many came back empty,
 * samples read; with the agent, the model calls.
 * Each path answers every question once untimed first (Prometheus' caches and the HTTP
 * connections warmed, as in a bot that has been running). Exits 1 when the engine over Prometheus
 * names another suspect than over the simulation, when the agent falls back to the engine, or when
 * a path's p95 breaks its target.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createChatModel } from '../src/agent/chat-model.js';
import { createTools } from '../src/agent/tools/create-tools.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../src/catalogue.js';
import type { Answer } from '../src/investigation/answer.js';
import type { AnswerDependencies } from '../src/investigation/deterministic-answer.js';
import { investigate, type InvestigationDependencies } from '../src/investigation/investigate.js';
import { liveRootCauses } from '../src/investigation/live-root-causes.js';
import { silentLogger } from '../src/logger.js';
import type { MetricsSource } from '../src/sources/metrics.js';
import { PrometheusMetrics } from '../src/sources/prometheus/prometheus-metrics.js';
import { findScenario, SCENARIOS } from '../src/sources/sim/scenarios.js';
import { writeOpenMetrics } from '../src/sources/sim/openmetrics.js';
import { tickOf } from '../src/sources/sim/world.js';
import { ActionProposals } from '../src/state/action-proposals.js';
import { LogFindingLog } from '../src/state/log-finding-log.js';
import { scenarioWorld, type ScenarioWorld } from '../test/evals/scenario-world.js';
import { startFakeOpenAi, type FakeOpenAi } from '../test/fakes/openai-compatible.js';
import { scriptedInvestigator } from '../test/fakes/scripted-investigator.js';
import { freePort } from '../test/support/free-port.js';
import { benchmarkRedis } from '../test/support/redis-server.js';
import { MinedLogs } from '../src/state/mined-logs.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'db-pool-exhaustion' },
    repeats: { type: 'string', default: '5' },
    redis: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run bench:ask [-- --scenario db-pool-exhaustion] [-- --repeats 5] [-- --redis URL (default: a private redis-server)]');
  process.exit(0);
}
const scenario = findScenario(values.scenario!);
if (!scenario) {
  console.error(`bench:ask: --scenario: unknown scenario "${values.scenario}" (known: ${SCENARIOS.map((known) => known.name).join(', ')})`);
  process.exit(2);
}
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 100) {
  console.error('bench:ask: --repeats: expected a whole number from 1 to 100');
  process.exit(2);
}

const QUESTIONS = ['why is order-service slow?', 'why is the frontend so slow?', 'what is wrong right now?'];
/** The issue's targets, ms at p95. */
const ENGINE_TARGET_MILLISECONDS = 5_000;
const AGENT_OVERHEAD_TARGET_MILLISECONDS = 2_000;
const MINUTES_AFTER_FAULT = 20;
/** History exported before the question: the engine reads at most ~95 min (30 min of anomalies, 5 min detection lead, 60 min normal); the rest is margin for rate windows. */
const EXPORT_HOURS = 3;
const MINUTE = 60_000;

// Recent timestamps: Prometheus' retention counts from the newest block, and "now" must not be in its future.
const questionTime = tickOf(Date.now()) - 2 * MINUTE;
const faultStart = questionTime - MINUTES_AFTER_FAULT * MINUTE;
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(1);
const loadAverage = () => loadavg().map((value) => value.toFixed(2)).join(' ');

console.log(`date: ${new Date().toISOString()}  machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown cpu'}  Node ${process.version}`);
console.log(`load average before: ${loadAverage()}`);
console.log(`scenario: ${scenario.name} (root cause ${scenario.rootCause}), question at fault start + ${MINUTES_AFTER_FAULT} min, ${repeats} timed repeats per question and path`);

const redisServer = await benchmarkRedis(values.redis);
const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const directory = mkdtempSync(join(tmpdir(), 'aiops-bench-ask-'));
let world: ScenarioWorld | undefined;
let prometheusProcess: ChildProcess | undefined;
let fake: FakeOpenAi | undefined;
let failed = false;
try {
  // 1. The world at the question, with detection's anomalies in Redis.
  let started = performance.now();
  world = await scenarioWorld(catalogue, redis, { scenario: scenario.name, minutesAfterFault: MINUTES_AFTER_FAULT, faultStart });
  const anomalyCount = (await world.anomalies.since(questionTime - 30 * MINUTE)).length;
  console.log(`world built, detection over every service: ${seconds(started)} s, ${anomalyCount} anomalies in the last 30 min`);

  // 2. Its history into a real Prometheus.
  started = performance.now();
  const chunks: string[] = [];
  writeOpenMetrics(world.sources.world, { start: questionTime - EXPORT_HOURS * 60 * MINUTE, end: questionTime }, (chunk) => chunks.push(chunk));
  writeFileSync(join(directory, 'history.om'), chunks.join(''));
  const exportSeconds = seconds(started);
  started = performance.now();
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(directory, 'history.om'), join(directory, 'data')], { stdio: 'ignore' });
  const backfillSeconds = seconds(started);
  started = performance.now();
  const port = await freePort();
  writeFileSync(join(directory, 'prometheus.yml'), 'scrape_configs: []\n');
  prometheusProcess = spawn(
    'prometheus',
    [`--config.file=${join(directory, 'prometheus.yml')}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=10y'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForData(url);
  console.log(`history: ${EXPORT_HOURS} h exported in ${exportSeconds} s (${(chunks.reduce((sum, chunk) => sum + chunk.length, 0) / 1e6).toFixed(1)} MB), promtool backfill ${backfillSeconds} s, Prometheus answering in ${seconds(started)} s`);

  // 3. The paths over the same cluster, anomaly log and clock; every metrics source counted (range queries, empty series, samples).
  const now = () => world!.clock.now();
  const logFindings = new LogFindingLog(redis, world.prefix);
  const prometheus = new PrometheusMetrics({ url, catalogue });
  const base = { catalogue, cluster: world.sources.cluster, anomalies: world.anomalies, logFindings, now };
  const simulatedCount = newCount();
  const prometheusCount = newCount();
  const prometheus60Count = newCount();
  const agentCount = newCount();
  const simulatedAnswers: AnswerDependencies = { ...base, metrics: counted(world.sources.metrics, simulatedCount) };
  const prometheusAnswers: AnswerDependencies = { ...base, metrics: counted(prometheus, prometheusCount) };
  const prometheus60Answers: AnswerDependencies = { ...base, metrics: counted(prometheus, prometheus60Count, 60) };
  const agentAnswers: AnswerDependencies = { ...base, metrics: counted(prometheus, agentCount) };
  fake = await startFakeOpenAi({ script: scriptedInvestigator });
  const proposals = new ActionProposals(redis, `${world.prefix}bench:`);
  const tools = createTools({
    catalogue,
    metrics: agentAnswers.metrics,
    logs: world.sources.logs,
    cluster: world.sources.cluster,
    anomalies: world.anomalies,
    logFindings,
    minedLogs: new MinedLogs(redis, world.prefix),
    proposals,
    rankRootCauses: liveRootCauses(agentAnswers),
    now,
  });
  const model = createChatModel({ baseUrl: fake.baseUrl, model: 'scripted-investigator' }, { maxRetries: 0 });
  const logger = silentLogger();
  const paths: BenchPath[] = [
    { name: '(a) engine, simulated metrics', target: ENGINE_TARGET_MILLISECONDS, count: simulatedCount, dependencies: { answers: simulatedAnswers, logger } },
    { name: '(b) engine, real Prometheus', target: ENGINE_TARGET_MILLISECONDS, count: prometheusCount, dependencies: { answers: prometheusAnswers, logger } },
    { name: '(c) agent, fake LLM, real Prometheus', target: AGENT_OVERHEAD_TARGET_MILLISECONDS, count: agentCount, dependencies: { answers: agentAnswers, agent: { model, tools, proposals }, logger } },
    // Not the product: the engine's 30 s step forced to the export's 60 s resolution, to show what (b) would rank and cost with its rate series present.
    { name: '(b60) diagnostic: (b) at a 60 s step', target: ENGINE_TARGET_MILLISECONDS, count: prometheus60Count, dependencies: { answers: prometheus60Answers, logger } },
  ];
  const runs = new Map<string, Run[]>(paths.map((path) => [path.name, []]));
  const ask = async (path: BenchPath, question: string): Promise<Run> => {
    const callsBefore = fake!.requests().length;
    Object.assign(path.count, newCount());
    const start = performance.now();
    const answer = await investigate(question, [], path.dependencies);
    const milliseconds = performance.now() - start;
    return { question, milliseconds, answer, modelCalls: fake!.requests().length - callsBefore, metrics: { ...path.count } };
  };
  for (const question of QUESTIONS) for (const path of paths) await ask(path, question); // warm-up, untimed
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    for (const question of QUESTIONS) for (const path of paths) runs.get(path.name)!.push(await ask(path, question));
  }

  // 4. Report.
  console.log('');
  console.log('| path | answers | median ms | p95 ms | max ms | target p95 ms | range queries per answer | of them empty | samples per answer | model calls per answer | fell back to the engine |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const medians = new Map<string, number>();
  const p95s = new Map<string, number>();
  for (const path of paths) {
    const pathRuns = runs.get(path.name)!;
    const times = pathRuns.map((run) => run.milliseconds).sort((left, right) => left - right);
    const [median, p95] = [quantile(times, 0.5), quantile(times, 0.95)];
    medians.set(path.name, median);
    p95s.set(path.name, p95);
    const perAnswer = (value: (run: Run) => number) => (pathRuns.reduce((sum, run) => sum + value(run), 0) / pathRuns.length).toFixed(1);
    const fallbacks = pathRuns.filter((run) => run.answer.fallbackReason !== undefined).length;
    const agent = path.dependencies.agent !== undefined;
    console.log(
      `| ${path.name} | ${times.length} | ${median.toFixed(0)} | ${p95.toFixed(0)} | ${times.at(-1)!.toFixed(0)} | ${path.target} | ${perAnswer((run) => run.metrics.queries)} | ${perAnswer((run) => run.metrics.empty)} | ${perAnswer((run) => run.metrics.samples)} | ${agent ? perAnswer((run) => run.modelCalls) : '—'} | ${agent ? fallbacks : '—'} |`,
    );
    if (p95 > path.target) {
      failed = true;
      console.log(`FAIL: ${path.name}: p95 ${p95.toFixed(0)} ms breaks the ${path.target} ms target`);
    }
    if (fallbacks > 0) {
      failed = true;
      console.log(`FAIL: ${path.name}: ${fallbacks} answers fell back to the engine (${pathRuns.find((run) => run.answer.fallbackReason)?.answer.fallbackReason}): not the agent's overhead`);
    }
  }
  const [simulatedPath, prometheusPath, agentPath, prometheus60Path] = paths.map((path) => path.name) as [string, string, string, string];
  const ratio = (numerator: string, denominator: string) => `median ${(medians.get(numerator)! / medians.get(denominator)!).toFixed(1)}×, p95 ${(p95s.get(numerator)! / p95s.get(denominator)!).toFixed(1)}×`;
  console.log('');
  console.log(`b/a, engine over Prometheus / over the simulation: ${ratio(prometheusPath, simulatedPath)}  (b60/a: ${ratio(prometheus60Path, simulatedPath)})`);
  console.log(`c, the agent on the fake LLM = our own overhead (the fake answers at once; nothing subtracted): median ${medians.get(agentPath)!.toFixed(0)} ms, p95 ${p95s.get(agentPath)!.toFixed(0)} ms`);

  console.log('');
  console.log(`suspects named (the scenario's root cause: ${scenario.rootCause}):`);
  const suspectsOf = (path: string, question: string) => [...new Set(runs.get(path)!.filter((run) => run.question === question).map((run) => run.answer.suspect ?? 'none'))].join('/');
  const candidatesOf = (path: string, question: string) =>
    runs.get(path)!.find((run) => run.question === question)?.answer.candidates?.map((candidate) => `${candidate.service} ${candidate.score.toFixed(2)}`).join(', ') ?? '—';
  for (const question of QUESTIONS) {
    const queries = runs.get(prometheusPath)!.find((run) => run.question === question)?.metrics;
    console.log(`  "${question}" (${queries?.queries} range queries, ${queries?.empty} empty over Prometheus): ${paths.map((path) => `${path.name.split(' ')[0]} ${suspectsOf(path.name, question)}`).join('; ')}`);
    console.log(`      engine's top 3: (a) [${candidatesOf(simulatedPath, question)}]  (b) [${candidatesOf(prometheusPath, question)}]  (b60) [${candidatesOf(prometheus60Path, question)}]`);
    if (suspectsOf(prometheusPath, question) !== suspectsOf(simulatedPath, question)) {
      failed = true;
      console.log(`FAIL: "${question}": the engine over Prometheus names ${suspectsOf(prometheusPath, question)}, over the simulation ${suspectsOf(simulatedPath, question)}`);
    }
  }
  const problems = [...new Set([...runs.values()].flat().flatMap((run) => run.answer.steps.filter((step) => /could not/i.test(step))))];
  if (problems.length > 0) console.log(`what the answers said they could not read: ${problems.join(' | ')}`);
} finally {
  await fake?.close();
  if (prometheusProcess && prometheusProcess.exitCode === null) {
    const exited = new Promise((resolve) => prometheusProcess!.once('exit', resolve));
    prometheusProcess.kill('SIGTERM');
    await exited;
  }
  rmSync(directory, { recursive: true, force: true });
  await world?.cleanUp();
  redis.disconnect();
  await redisServer.stop();
  console.log(`load average after: ${loadAverage()}`);
}
console.log(failed ? 'RESULT: FAIL' : 'RESULT: ok (every p95 within its target, the engine names the same suspect over Prometheus as over the simulation)');
process.exit(failed ? 1 : 0);

/** Waits until Prometheus is ready and its backfilled history answers a query (at most 60 s). */
async function waitForData(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (prometheusProcess?.exitCode !== null) throw new Error(`prometheus exited with ${prometheusProcess?.exitCode}`);
    const body = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count({__name__=~".+"})')}&time=${questionTime / 1000}`)
      .then((response) => (response.ok ? (response.json() as Promise<{ data?: { result?: unknown[] } }>) : undefined))
      .catch(() => undefined);
    if ((body?.data?.result?.length ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Prometheus did not answer with the backfilled history within 60 s');
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

interface MetricsCount {
  queries: number;
  empty: number;
  samples: number;
}

interface Run {
  question: string;
  milliseconds: number;
  answer: Answer;
  modelCalls: number;
  metrics: MetricsCount;
}

interface BenchPath {
  name: string;
  /** p95 target, ms. */
  target: number;
  /** The path's metrics source counts into this; reset before each answer. */
  count: MetricsCount;
  dependencies: InvestigationDependencies;
}

function newCount(): MetricsCount {
  return { queries: 0, empty: 0, samples: 0 };
}

/** The source unchanged but counted: per-signal range queries, those that came back empty, samples. `stepSeconds` overrides the step asked for. */
function counted(source: MetricsSource, count: MetricsCount, stepSeconds?: number): MetricsSource {
  return {
    kind: source.kind,
    range: async (service, signal, range) => {
      const series = await source.range(service, signal, stepSeconds === undefined ? range : { ...range, stepSeconds });
      count.queries += 1;
      if (series.samples.length === 0) count.empty += 1;
      count.samples += series.samples.length;
      return series;
    },
    instant: (service, signal, at) => source.instant(service, signal, at),
    queryRange: (promql, range) => source.queryRange(promql, range),
    query: (promql, at) => source.query(promql, at),
    metricNames: () => source.metricNames(),
  };
}
