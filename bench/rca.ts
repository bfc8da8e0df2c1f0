/**
 * Root-cause ranking on the RCA case sets of `../shared/datasets/rca/` (sock-shop, petshop-dev,
 * nezha-tt, side by side in one run), scored with AC@1, AC@3, AC@5 and Avg@5 as its README
 * defines, beside the plain NSigma baseline run on the same machine in the same process.
 *
 *   npm run bench:rca [-- DIR...] [-- --faults] [-- --ablation] [-- --sensitivity] [-- --verbose]
 *
 * Each method is also told the start 60 s late (RCAEval's tΔ = 60): a start read off an alert is
 * rarely exact.
 *
 * One configuration for every case and every set. The ranking reads metrics.csv and case.json only
 * (as `aiops rca` does); truth.json is read afterwards, by the scorer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nsigmaServices } from './rca-nsigma-baseline.js';
import { accuracy, readTruth, rootCauseRank } from './rca-scoring.js';
import { readRcaCase } from '../src/commands/rca-case.js';
import { DEFAULT_RANK_OPTIONS } from '../src/rca/rank-options.js';
import { rankRootCauses, type RankOptions } from '../src/rca/rank-root-causes.js';
import type { RootCauseInput } from '../src/rca/root-cause-input.js';

const DEFAULT_SETS = ['sock-shop', 'petshop-dev', 'nezha-tt'];
const datasetsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'datasets', 'rca');

const { values, positionals } = parseArgs({
  options: { help: { type: 'boolean', short: 'h' }, verbose: { type: 'boolean', short: 'v' }, faults: { type: 'boolean' }, 'merge-db': { type: 'boolean' }, ablation: { type: 'boolean' }, sensitivity: { type: 'boolean' } },
  allowPositionals: true,
});
if (values.help) {
  console.log(`usage: npm run bench:rca [-- DIR...] [-- --faults] [-- --ablation] [-- --sensitivity] [-- --merge-db] [-- --verbose]
  DIR       case sets to score (default: ${DEFAULT_SETS.map((name) => join(datasetsRoot, name)).join(', ')})
  --faults  also score each fault type (or symptom metric) of each set
  --ablation  also rank with each rule of the ranking turned off on its own
  --sensitivity  also rank with each numeric setting halved and doubled on its own (AC@1, exact start)
  --merge-db  fold a "-db" suffix into its service before scoring (RCAEval's service level)
  --verbose list every case our ranking does not put first, with its top three and the truth`);
  process.exit(0);
}
const datasetPaths = positionals.length > 0 ? positionals.map((path) => resolve(path)) : DEFAULT_SETS.map((name) => join(datasetsRoot, name));
const mergeDb = values['merge-db'] ?? false;

interface Method {
  name: string;
  services: (input: RootCauseInput) => string[];
}
const ranked = (options: RankOptions) => (input: RootCauseInput) => rankRootCauses(input, options).ranking.map((cause) => cause.service);
/** Each rule of the ranking turned off on its own, to show what it contributes (--ablation). */
const ABLATIONS: Array<[string, RankOptions]> = [
  ['without the symptom link', { symptomLinkWeight: 0 }],
  ['without like-kind links', { crossKindLinkShare: 1 }],
  ['without the caller-side view rule', { callerViewShare: 1 }],
  ['without saturation', { saturationBonus: 0 }],
  ['without the z ceiling', { maximumZ: Number.POSITIVE_INFINITY }],
  ['without the graph', { graphBonus: 0 }],
];
/**
 * The numeric settings that act on an offline case, each halved and doubled on its own
 * (--sensitivity): a figure that holds across them is not an artefact of one value. Shares stop at
 * 1. The quantile is left out (1 is the maximum; doubling has no meaning), and so are the context
 * lookback and the log cap: case folders carry no changes, events or logs.
 */
const SENSITIVE_SETTINGS = ['maximumZ', 'onsetZ', 'anomalousZ', 'symptomWeight', 'secondMetricShare', 'onsetBonus', 'graphBonus', 'symptomLinkWeight', 'saturationBonus', 'crossKindLinkShare', 'callerViewShare'] as const;
const SHARES = new Set<string>(['symptomWeight', 'secondMetricShare', 'crossKindLinkShare', 'callerViewShare']);
const FACTORS = [0.5, 2];
/** Ranked at the exact start only, and shown in a table of their own. */
const SENSITIVITY: Array<{ setting: string; factor: number; services: Method['services'] }> = values.sensitivity
  ? [
      ...FACTORS.map((factor) => ({ setting: 'scaleFloor.relative', factor, services: ranked({ scaleFloor: { ...DEFAULT_RANK_OPTIONS.scaleFloor, relative: DEFAULT_RANK_OPTIONS.scaleFloor.relative * factor } }) })),
      ...SENSITIVE_SETTINGS.flatMap((setting) =>
        FACTORS.map((factor) => ({ setting, factor, services: ranked({ [setting]: SHARES.has(setting) ? Math.min(1, DEFAULT_RANK_OPTIONS[setting] * factor) : DEFAULT_RANK_OPTIONS[setting] * factor }) })),
      ),
    ]
  : [];
const defaultValue = (setting: string): number => (setting === 'scaleFloor.relative' ? DEFAULT_RANK_OPTIONS.scaleFloor.relative : DEFAULT_RANK_OPTIONS[setting as (typeof SENSITIVE_SETTINGS)[number]]);
const METHODS: Method[] = [
  { name: 'rankRootCauses', services: ranked({}) },
  { name: 'NSigma baseline', services: nsigmaServices },
  ...(values.ablation ? ABLATIONS.map(([name, options]) => ({ name: `rankRootCauses ${name}`, services: ranked(options) })) : []),
];
/** How late each method is told the anomaly started, seconds: exact, and RCAEval's tΔ = 60. */
const LATENESS_SECONDS = [0, 60];

interface Ranked {
  rank: number;
  milliseconds: number;
  top: string[];
}
interface CaseResult {
  set: string;
  name: string;
  fault: string;
  truth: string;
  /** Per lateness, then per method. */
  ranks: Ranked[][];
  /** Per SENSITIVITY entry, exact start. */
  sensitivity: number[];
}

function caseDirectories(datasetPath: string): string[] {
  if (!existsSync(datasetPath)) {
    console.error(`bench:rca: ${datasetPath} does not exist`);
    process.exit(2);
  }
  const found = readdirSync(datasetPath, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name === 'case.json')
    .map((entry) => entry.parentPath)
    .sort();
  if (found.length === 0) {
    console.error(`bench:rca: ${datasetPath} holds no case folders (folders with case.json)`);
    process.exit(2);
  }
  return found;
}

const results: CaseResult[] = [];
let readMilliseconds = 0;
for (const datasetPath of datasetPaths) {
  const set = basename(datasetPath);
  for (const directory of caseDirectories(datasetPath)) {
    const readStarted = performance.now();
    const input = await readRcaCase(directory);
    readMilliseconds += performance.now() - readStarted;
    const truth = readTruth(directory);
    const ranks = LATENESS_SECONDS.map((late) =>
      METHODS.map((method): Ranked => {
        const told = { ...input, anomalyStart: input.anomalyStart + late * 1000 };
        const started = performance.now();
        const services = method.services(told);
        return { rank: rootCauseRank(services, truth.rootCause, mergeDb), milliseconds: performance.now() - started, top: services.slice(0, 3) };
      }),
    );
    const sensitivity = SENSITIVITY.map((entry) => rootCauseRank(entry.services(input), truth.rootCause, mergeDb));
    results.push({ set, name: relative(datasetPath, directory) || directory, fault: truth.fault, truth: truth.rootCause, ranks, sensitivity });
  }
}

const format = (value: number): string => value.toFixed(3);
const sets = [...new Set(results.map((result) => result.set))];
const groups = sets.flatMap((set) => {
  const members = results.filter((result) => result.set === set);
  const faults = values.faults ? [...new Set(members.map((result) => result.fault))].sort() : [];
  return [...faults.map((fault) => ({ set, label: fault, members: members.filter((result) => result.fault === fault) })), { set, label: 'all', members }];
});

console.log(`${results.length} cases in ${sets.length} sets${mergeDb ? ', -db folded' : ''}\n`);
console.log('| set | cases | faults | start told | method | AC@1 | AC@3 | AC@5 | Avg@5 | ms per case |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const group of groups) {
  LATENESS_SECONDS.forEach((late, lateIndex) => {
    METHODS.forEach((method, index) => {
      const ranks = group.members.map((result) => result.ranks[lateIndex]![index]!);
      const scores = accuracy(ranks.map((rank) => rank.rank));
      const milliseconds = ranks.reduce((sum, rank) => sum + rank.milliseconds, 0) / ranks.length;
      console.log(
        `| ${group.set} | ${scores.cases} | ${group.label} | ${late === 0 ? 'exact' : `${late} s late`} | ${method.name} | ${format(scores.acAt[0]!)} | ${format(scores.acAt[2]!)} | ${format(scores.acAt[4]!)} | ${format(scores.avgAt5)} | ${milliseconds.toFixed(1)} |`,
      );
    });
  });
}
console.log(`\nreading a case (metrics.csv + case.json): ${(readMilliseconds / results.length).toFixed(1)} ms mean`);

if (SENSITIVITY.length > 0) {
  const acAt1 = (set: string, index?: number) => {
    const members = results.filter((result) => result.set === set);
    return format(accuracy(members.map((result) => (index === undefined ? result.ranks[0]![0]!.rank : result.sensitivity[index]!))).acAt[0]!);
  };
  console.log(`\nAC@1, exact start, one setting changed at a time (default: ${sets.map((set) => `${set} ${acAt1(set)}`).join(', ')})\n`);
  console.log(`| setting | default | ${sets.flatMap((set) => FACTORS.map((factor) => `${set} ×${factor}`)).join(' | ')} |`);
  console.log(`|---|---|${sets.flatMap(() => FACTORS.map(() => '---|')).join('')}`);
  for (const setting of [...new Set(SENSITIVITY.map((entry) => entry.setting))]) {
    const cells = sets.flatMap((set) => FACTORS.map((factor) => acAt1(set, SENSITIVITY.findIndex((entry) => entry.setting === setting && entry.factor === factor))));
    console.log(`| ${setting} | ${defaultValue(setting)} | ${cells.join(' | ')} |`);
  }
}

if (values.verbose) {
  for (const result of results.filter((entry) => entry.ranks[0]![0]!.rank > 1)) {
    const ours = result.ranks[0]![0]!;
    console.log(`not first: ${result.set}/${result.name} (${result.fault}) truth ${result.truth} at rank ${ours.rank}; top ${ours.top.join(', ')}`);
  }
}
