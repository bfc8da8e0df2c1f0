import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { writeOpenMetrics } from '../../src/sources/sim/openmetrics.js';
import { SCENARIOS } from '../../src/sources/sim/scenarios.js';
import { SimWorld } from '../../src/sources/sim/world.js';
import { createHarness, type Run } from '../support/cli-harness.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus-server.js';
import { skipWithout } from '../support/requirements.js';
import { testRedis } from '../support/test-redis.js';

/**
 * What a user reads from `aiops ask` in each of the six scenarios `aiops sim list` names: the right
 * suspect, every signal value in its unit, z-scores capped, advice that fits the kind of fault, and
 * the suspect's new error logs with counts. Once on the simulated world (the command's own
 * detection pass), once against a real Prometheus holding the same history and no detection state
 * in Redis (the investigation finds the anomalies in the metrics itself).
 */

interface ScenarioCase {
  scenario: string;
  question: string;
  suspect: string;
  fault: string;
  /** What the advice must say, line by line in order, and must not. */
  advice: RegExp[];
  notAdvice: RegExp;
  /** A log template of the suspect's that the log evidence must quote. */
  log: RegExp;
}

const CASES: ScenarioCase[] = [
  {
    scenario: 'bad-deploy',
    question: 'why is checkout failing?',
    suspect: 'payment',
    fault: 'a code error',
    advice: [/^Roll payment back to the revision before 2\.5\.0, which introduced "java\.lang\.NullPointerException/],
    notAdvice: /connections|locks|leak|scale/i,
    log: /^payment: (about )?\d+ error lines "java\.lang\.NullPointerException: Cannot invoke "CardToken\.value\(\)"/m,
  },
  {
    scenario: 'memory-leak',
    question: 'is something wrong with the shop?',
    suspect: 'cart',
    fault: 'a memory leak',
    advice: [/^Roll cart back to the revision before 3\.2\.0: the leak came with it$/, /^A rollout restart of cart only buys time/],
    notAdvice: /connections|locks|scale|rate-limit/i,
    log: /^cart: (about )?\d+ error lines "(java\.lang\.OutOfMemoryError: Java heap space|GC overhead limit exceeded)/m,
  },
  {
    scenario: 'traffic-surge',
    question: 'why is the frontend slow?',
    suspect: 'catalogue',
    fault: 'a traffic surge',
    advice: [/^Scale catalogue out/, /rate-limit the source of the surge/],
    notAdvice: /leak|restart|roll .* back|connections, locks/i,
    log: /^catalogue: (about )?\d+ error lines "Request timed out after <\*> waiting for a worker thread/m,
  },
  {
    scenario: 'crash-loop',
    question: "why can't checkout quote shipping?",
    suspect: 'shipping',
    fault: 'a crash loop',
    advice: [/^Roll shipping back to the revision before 1\.4\.0$/, /^Or fix what it fails on at start: "FATAL config: required key CARRIER_API_URL is missing/],
    notAdvice: /leak|scale|connections, locks/i,
    log: /^shipping: (about )?\d+ error lines "FATAL config: required key CARRIER_API_URL is missing/m,
  },
  {
    scenario: 'slow-dependency',
    question: 'why is cart slow?',
    suspect: 'cache',
    fault: 'a slow dependency',
    advice: [/^Look at cache itself: its callers are slow because they wait for it$/, /restart it \(rollout restart\) so it is rescheduled elsewhere/],
    notAdvice: /leak|roll .* back|scale/i,
    log: /^cache: (about )?\d+ error lines "WARNING: slow command: <\*> ms for GET/m,
  },
  {
    scenario: 'db-pool-exhaustion',
    question: 'why is order-service slow?',
    suspect: 'database',
    fault: 'connection-pool exhaustion',
    advice: [/^Restart database \(rollout restart\) to free its connections$/, /connection pool size \(max_connections\)/],
    notAdvice: /leak|scale|roll .* back/i,
    log: /^database: (about )?\d+ error lines "FATAL: (sorry, too many clients already|remaining connection slots)/m,
  },
];

const SIGNAL_VALUE = /\b(cpu|memory|request_rate|error_rate|latency_p95|restarts) (-?\d[\d.]*(?:e[-+]?\d+)?)(?![\d.])(?! ?(?:%|ms\b|s\b|cores?\b|[KMG]iB\b|B\b|req\/s|restarts\/min))/g;

/** Everything a user must be able to rely on in an answer, whatever the world behind it. */
function expectAnswer(result: Run, expected: ScenarioCase): void {
  expect(result.exitCode, result.stderr).toBe(0);
  const answer = result.stdout;
  const lines = answer.split('\n');
  // The suspect, with whom to bring in: its team and channel from the catalogue.
  expect(answer).toMatch(new RegExp(`^Suspect: ${expected.suspect} \\(team [a-z-]+, #shop-[a-z-]+\\)$`, 'm'));
  expect(answer).toMatch(new RegExp(`^Likely fault: ${expected.fault}: `, 'm'));
  // Units: no signal value is a bare number, no memory is raw bytes, no z-score is in the thousands.
  expect([...answer.matchAll(SIGNAL_VALUE)].map((match) => match[0])).toEqual([]);
  expect(answer).not.toMatch(/\b\d{7,}\b/);
  for (const [, zScore] of answer.matchAll(/robust z ([\d.]+)/g)) expect(Number(zScore)).toBeLessThanOrEqual(10);
  expect(answer).toMatch(/far above normal/);
  // Advice chosen by the kind of fault.
  const advice = lines.filter((line) => line.startsWith('• ')).map((line) => line.slice(2));
  expect(advice).toHaveLength(expected.advice.length);
  expected.advice.forEach((pattern, index) => expect(advice[index]).toMatch(pattern));
  for (const line of advice) expect(line).not.toMatch(expected.notAdvice);
  // Log evidence: the suspect's new error templates, with counts.
  const logEvidence = lines.slice(lines.indexOf('Log evidence:') + 1);
  expect(lines).toContain('Log evidence:');
  expect(logEvidence.join('\n')).toMatch(expected.log);
  expect(answer).not.toMatch(/&lt;|&gt;|&amp;/);
}

const { url: REDIS_URL, redis } = await testRedis();

afterAll(() => {
  redis.disconnect();
});

it('covers every scenario aiops sim list names', () => {
  expect(CASES.map((entry) => entry.scenario).sort()).toEqual(SCENARIOS.map((scenario) => scenario.name).sort());
});

describe('aiops ask on the simulated world, in each scenario', () => {
  it.each(CASES.map((entry) => [entry.scenario, entry] as const))('%s', async (_name, expected) => {
    const harness = createHarness({ REDIS_URL, AIOPS_SCENARIO: expected.scenario, AIOPS_SIM_START: '2026-11-24T15:00:00Z', LOG_LEVEL: 'fatal' });
    const exitCode = await runCli(['ask', expected.question], harness.context);
    expectAnswer({ exitCode, stdout: harness.stdout.text, stderr: harness.stderr.text }, expected);
  });
});

/** The six histories lie a day apart, each ending at the question: one Prometheus holds them all. */
const QUESTION_TIMES = CASES.map((_, index) => Date.UTC(2026, 10, 24 - index, 15, 0));
/** Enough history for the hour before the question's half hour, and the rate windows before that. */
const HISTORY_MINUTES = 110;
const FAULT_MINUTES_AGO = 20;

describe.skipIf(skipWithout('prometheus', 'aiops ask against a real Prometheus'))('aiops ask against a real Prometheus, with no detection state in Redis', () => {
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    // What `aiops sim export --openmetrics --scenario S --fault-minutes-ago 20` writes, per scenario.
    const histories = CASES.map((entry, index) => {
      const end = QUESTION_TIMES[index]!;
      const world = new SimWorld({ clock: new ManualClock(end), scenario: entry.scenario, faultStart: end - FAULT_MINUTES_AGO * 60_000 });
      const chunks: string[] = [];
      writeOpenMetrics(world, { start: end - HISTORY_MINUTES * 60_000, end }, (chunk) => chunks.push(chunk));
      return chunks.join('');
    });
    prometheus = await startPrometheus(histories);
  });

  afterAll(async () => {
    await prometheus?.close();
  });

  it.each(CASES.map((entry, index) => [entry.scenario, entry, index] as const))('%s', async (_name, expected, index) => {
    const at = QUESTION_TIMES[index]!;
    // The cluster and the logs stay simulated, at the question's time; the metrics come from Prometheus alone.
    const harness = createHarness({
      REDIS_URL,
      PROMETHEUS_URL: prometheus.url,
      AIOPS_SCENARIO: expected.scenario,
      AIOPS_SIM_START: new Date(at).toISOString(),
      LOG_LEVEL: 'fatal',
    });
    const exitCode = await runCli(['ask', expected.question], { ...harness.context, now: () => at });
    const result = { exitCode, stdout: harness.stdout.text, stderr: harness.stderr.text };
    expect(result.stderr.split('\n')[0]).toBe('no anomalies recorded in Redis in the last 24 h — is the bot (aiops start or aiops worker) running? Looking for them in the metrics');
    expect(result.stderr).toMatch(/^… Anomalies in the last 30 min on .*\(in the metrics against the hour before for /m);
    expectAnswer(result, expected);
    expect(await redis.keys('*')).toEqual([]);
  });
});
