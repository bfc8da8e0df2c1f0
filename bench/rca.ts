/**
 * Root-cause ranking on an RCA case set (default: the 50 Sock Shop cases), scored with AC@1, AC@3,
 * AC@5 and Avg@5 as `../shared/datasets/rca/README.md` defines, per fault type and overall, with
 * exact service names and with `-db` folded (--merge-db), beside a plain NSigma baseline run on the
 * same machine in the same process.
 *
 *   npm run bench:rca [-- DIR]
 *
 * Each method is also told the start 60 s late (RCAEval's tΔ = 60), where published NSigma falls
 * from 0.98 to 0.15 Avg@5: a start read off an alert is rarely exact.
 *
 * One configuration for every case. The ranking reads metrics.csv and case.json only (as
 * `aiops rca` does); truth.json is read afterwards, by the scorer.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatasetsPath } from './nab/nab-corpus.js';
import { nsigmaServices } from './rca-nsigma-baseline.js';
import { accuracy, type AccuracyScores, readTruth, rootCauseRank } from './rca-scoring.js';
import { readRcaCase } from '../src/commands/rca-case.js';
import { rankRootCauses } from '../src/rca/rank-root-causes.js';
import type { RootCauseInput } from '../src/rca/root-cause-input.js';

const { values, positionals } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, verbose: { type: 'boolean', short: 'v' } }, allowPositionals: true });
if (values.help) {
  console.log('usage: npm run bench:rca [-- DIR] [-- --verbose]   (DIR default: ../shared/datasets/rca/sock-shop; --verbose lists every case not ranked first)');
  process.exit(0);
}
const datasetPath = resolve(positionals[0] ?? join(defaultDatasetsPath(), 'rca', 'sock-shop'));

interface Method {
  name: string;
  services: (input: RootCauseInput) => string[];
}
const METHODS: Method[] = [
  { name: 'rankRootCauses', services: (input) => rankRootCauses(input).ranking.map((cause) => cause.service) },
  { name: 'NSigma baseline', services: nsigmaServices },
];
/** How late each method is told the anomaly started, seconds: exact, and RCAEval's tΔ = 60. */
const LATENESS_SECONDS = [0, 60];
/** Repeats per case so the mean time is not one cold run; the ranking is deterministic. */
const TIMING_RUNS = 5;

let caseDirectories: string[];
try {
  caseDirectories = readdirSync(datasetPath, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === 'case.json')
    .map((entry) => entry.parentPath)
    .sort();
} catch (error) {
  console.error(`bench:rca: cannot read ${datasetPath}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
if (caseDirectories.length === 0) {
  console.error(`bench:rca: ${datasetPath} holds no case folders (folders with case.json)`);
  process.exit(2);
}

interface CaseResult {
  name: string;
  fault: string;
  /** Per lateness, then per method: rank with exact names, rank with -db folded, ms per ranking. */
  ranks: Array<Array<{ exact: number; merged: number; milliseconds: number; top: string[] }>>;
}

const results: CaseResult[] = [];
let readMilliseconds = 0;
for (const directory of caseDirectories) {
  const readStarted = performance.now();
  const input = await readRcaCase(directory);
  readMilliseconds += performance.now() - readStarted;
  const truth = readTruth(directory);
  const ranks = LATENESS_SECONDS.map((late) =>
    METHODS.map((method) => {
      const told = { ...input, anomalyStart: input.anomalyStart + late * 1000 };
      let services: string[] = [];
      const started = performance.now();
      for (let run = 0; run < TIMING_RUNS; run += 1) services = method.services(told);
      const milliseconds = (performance.now() - started) / TIMING_RUNS;
      return { exact: rootCauseRank(services, truth.rootCause, false), merged: rootCauseRank(services, truth.rootCause, true), milliseconds, top: services.slice(0, 3) };
    }),
  );
  results.push({ name: relative(datasetPath, directory) || directory, fault: truth.fault, ranks });
}

const format = (value: number): string => value.toFixed(3);
const faults = [...new Set(results.map((result) => result.fault))].sort();
const groups = [...faults.map((fault) => ({ label: fault, members: results.filter((result) => result.fault === fault) })), { label: 'all', members: results }];

console.log(`${results.length} cases under ${datasetPath}\n`);
console.log('| method | start told | names | faults | cases | AC@1 | AC@3 | AC@5 | Avg@5 | ms per case (ranking) |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
LATENESS_SECONDS.forEach((late, lateIndex) => {
  METHODS.forEach((method, index) => {
    for (const mergeDb of [false, true]) {
      for (const group of groups) {
        const ranks = group.members.map((result) => result.ranks[lateIndex]![index]!);
        const scores: AccuracyScores = accuracy(ranks.map((rank) => (mergeDb ? rank.merged : rank.exact)));
        const milliseconds = ranks.reduce((sum, rank) => sum + rank.milliseconds, 0) / ranks.length;
        console.log(
          `| ${method.name} | ${late === 0 ? 'exact' : `${late} s late`} | ${mergeDb ? '--merge-db' : 'exact'} | ${group.label} | ${scores.cases} | ${format(scores.acAt[0]!)} | ${format(scores.acAt[2]!)} | ${format(scores.acAt[4]!)} | ${format(scores.avgAt5)} | ${milliseconds.toFixed(2)} |`,
        );
      }
    }
  });
});
console.log(`\nreading a case (metrics.csv + case.json): ${(readMilliseconds / results.length).toFixed(2)} ms mean; ranking times are the mean of ${TIMING_RUNS} runs per case`);

LATENESS_SECONDS.forEach((late, lateIndex) => {
  const misses = results.filter((result) => result.ranks[lateIndex]!.some((rank) => rank.exact > 1));
  if (!values.verbose && misses.length > 10) return;
  for (const result of misses) {
    const described = METHODS.map((method, index) => `${method.name}: rank ${result.ranks[lateIndex]![index]!.exact} (top ${result.ranks[lateIndex]![index]!.top.join(', ')})`).join('; ');
    console.log(`not first (start told ${late} s late): ${result.name} — ${described}`);
  }
});
