/**
 * The template miner on the Loghub-2k development sets, scored with GA, FGA and PA as
 * `../shared/datasets/loghub/README.md` defines them, then a long-stream throughput and memory run.
 *
 *   npm run bench:loghub [-- --datasets ../shared/datasets] [-- --stream-lines N]
 *
 * First the product's configuration: `new TemplateMiner()` with no options, as `aiops logs
 * templates` (src/commands/logs.ts) and the bot's log-mining jobs (src/jobs/log-miners.ts)
 * build it, the same for every set. Beside it, in the same run, the configuration this bench used to
 * report: the same miner plus two masks written for Proxifier only, which no deployment can set.
 * The miner reads content.txt only; truth.csv is read afterwards, for scoring.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatasetsPath } from './nab/nab-corpus.js';
import { type ParsedLine, parseCsvRows, scoreParse } from './loghub-scoring.js';
import type { Mask } from '../src/logs/masks.js';
import { type MinerMatch, TemplateMiner } from '../src/logs/template-miner.js';

const DATA_SETS = ['HDFS', 'Spark', 'BGL', 'Thunderbird', 'Linux', 'HealthApp', 'Proxifier', 'OpenStack'];
/** The earlier configuration's data-set masks: Proxifier's traffic counts and connection lifetime. */
const EXTRA_MASKS: Record<string, Mask[]> = {
  Proxifier: [
    { name: 'proxifier-traffic', pattern: /\d+ bytes(?: \([^)]*\))?/ },
    { name: 'proxifier-lifetime', pattern: /(?<=lifetime )(?:<1 sec|[\d:]+)/ },
  ],
};

const { values } = parseArgs({ options: { datasets: { type: 'string' }, 'stream-lines': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('usage: npm run bench:loghub [-- --datasets PATH] [-- --stream-lines N]');
  process.exit(0);
}
const loghubPath = join(resolve(values.datasets ?? defaultDatasetsPath()), 'loghub');
const streamLines = Number(values['stream-lines'] ?? 10_000_000);

function readLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const rows = [
  '| data set | templates found / true | GA | FGA | PA | lines/s, first run | lines/s, warm | GA with data-set masks |',
  '|---|---|---|---|---|---|---|---|',
];
/** Repeat runs on a fresh miner per set: 2,000 lines are too few for one run to time more than JIT warm-up. */
const WARM_RUNS = 5;

/** The best lines/s of WARM_RUNS fresh product miners over the same messages. */
function warmLinesPerSecond(messages: readonly string[]): number {
  let best = 0;
  for (let run = 0; run < WARM_RUNS; run += 1) {
    const miner = new TemplateMiner();
    const started = process.hrtime.bigint();
    for (const message of messages) miner.add(message);
    best = Math.max(best, messages.length / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  return best;
}

/** Each line's true event and template, and the group and final template the miner gave it. */
function parsedLines(miner: TemplateMiner, matches: readonly MinerMatch[], truth: readonly string[][]): ParsedLine[] {
  // PA scores each line with its template's final text, as a batch parser would report it.
  const finalTemplates = new Map(miner.templates().map((template) => [template.id, template.template]));
  return matches.map((match, index) => ({
    trueEvent: truth[index]?.[1] ?? '',
    trueTemplate: truth[index]?.[2] ?? '',
    predictedGroup: match.templateId,
    predictedTemplate: finalTemplates.get(match.templateId) ?? match.template,
  }));
}

const sums = { ga: 0, fga: 0, pa: 0, gaWithMasks: 0 };
const allMessages: string[] = [];
for (const name of DATA_SETS) {
  let messages: string[];
  try {
    messages = readLines(join(loghubPath, name, 'content.txt'));
  } catch (error) {
    console.error(`bench:loghub: cannot read ${name} under ${loghubPath}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  allMessages.push(...messages);
  const truth = parseCsvRows(readFileSync(join(loghubPath, name, 'truth.csv'), 'utf8')).slice(1);
  const miner = new TemplateMiner();
  const started = process.hrtime.bigint();
  const matches = messages.map((message) => miner.add(message));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const score = scoreParse(parsedLines(miner, matches, truth));
  const maskedMiner = new TemplateMiner({ extraMasks: EXTRA_MASKS[name] ?? [] });
  const withMasks = EXTRA_MASKS[name] === undefined ? score : scoreParse(parsedLines(maskedMiner, messages.map((message) => maskedMiner.add(message)), truth));
  sums.ga += score.groupingAccuracy;
  sums.fga += score.groupingF1;
  sums.pa += score.parsingAccuracy;
  sums.gaWithMasks += withMasks.groupingAccuracy;
  rows.push(
    `| ${name} | ${score.predictedGroups} / ${score.trueGroups} | ${score.groupingAccuracy.toFixed(3)} | ${score.groupingF1.toFixed(3)} | ${score.parsingAccuracy.toFixed(3)} | ${Math.round(messages.length / seconds).toLocaleString('en-US')} | ${Math.round(warmLinesPerSecond(messages)).toLocaleString('en-US')} | ${withMasks.groupingAccuracy.toFixed(3)} |`,
  );
}
const count = DATA_SETS.length;
rows.push(`| **mean** | | **${(sums.ga / count).toFixed(3)}** | **${(sums.fga / count).toFixed(3)}** | **${(sums.pa / count).toFixed(3)}** | | | ${(sums.gaWithMasks / count).toFixed(3)} |`);

console.log('# Log template mining on Loghub-2k (8 sets, v3 labels)\n');
console.log(`date: ${new Date().toISOString().slice(0, 10)}, machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown'}, Node ${process.version}`);
console.log('configuration: the product\'s, new TemplateMiner() as aiops logs templates and the log-mining jobs build it (similarityThreshold 0.5, depth 4, maximumTemplates 10000, default masks), the same for every set');
console.log('last column: the configuration reported before, the same miner plus two masks for Proxifier only\n');
console.log(rows.join('\n'));

// A long stream: the 16,000 lines cycled, each round with its first number shifted, through one
// miner. Each round's lines are made before its clock starts, so only the miner is timed.
const miner = new TemplateMiner({ maximumTemplates: 2_000 });
const heapBefore = process.memoryUsage().heapUsed;
let nanoseconds = 0n;
for (let first = 0, round = 0; first < streamLines; first += allMessages.length, round += 1) {
  const messages = allMessages.slice(0, Math.min(allMessages.length, streamLines - first)).map((message) => (round === 0 ? message : message.replace(/\d+/, (digits) => String(Number(digits) + round))));
  const started = process.hrtime.bigint();
  for (const message of messages) miner.add(message);
  nanoseconds += process.hrtime.bigint() - started;
}
const seconds = Number(nanoseconds) / 1e9;
const heapAfter = process.memoryUsage().heapUsed;
console.log(`\nlong stream: ${streamLines.toLocaleString('en-US')} lines in ${seconds.toFixed(1)} s = ${Math.round(streamLines / seconds).toLocaleString('en-US')} lines/s on one core; ${miner.templates().length} templates held (cap 2000); heap ${(heapBefore / 2 ** 20).toFixed(0)} MiB before, ${(heapAfter / 2 ** 20).toFixed(0)} MiB after`);
