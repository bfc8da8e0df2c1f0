/**
 * Our streaming detector on the NAB development subset, scored with NAB's own algorithm
 * (bench/nab/nab-scorer.ts) next to NAB's published detectors scored the same way in the same run.
 *
 *   npm run bench:nab [-- --datasets ../shared/datasets] [-- --output DIR]
 *
 * Every file gets a fresh detector with the same settings, fed online row by row. The one
 * per-file input is NAB's probationary period (15% of the file, at most 750 rows), which NAB hands
 * every detector and which we pass as `learningRows`. The detector never sees labels or names.
 * With --output, our per-row scores are written in the layout of `nab/golden/`.
 */
import { cpus, platform, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GOLDEN_DETECTORS, type NabFile, PROFILE_NAMES, type ProfileName, defaultDatasetsPath, loadNabCorpus, readGoldenScores, writeDetectorOutput } from './nab/nab-corpus.js';
import { type CorpusScore, crossValidatedScore, scoreCorpus } from './nab/nab-scorer.js';
import { RECOMMENDED_ALERT_THRESHOLD, createDetector } from '../src/detection/create-detector.js';

const OUR_NAME = 'aiops';

const { values } = parseArgs({ options: { datasets: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('usage: npm run bench:nab [-- --datasets PATH] [-- --output DIR]');
  process.exit(0);
}
const datasetsPath = resolve(values.datasets ?? defaultDatasetsPath());
let corpus: ReturnType<typeof loadNabCorpus>;
try {
  corpus = loadNabCorpus(datasetsPath);
} catch (error) {
  console.error(`bench:nab: cannot read the NAB subset under ${datasetsPath}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

// 1. Our detector, online, one fresh detector per file; only the update loop is timed.
let updates = 0;
let nanoseconds = 0n;
const ourScores = corpus.files.map((file) => {
  const detector = createDetector({ learningRows: file.probationRows });
  const scores = new Array<number>(file.values.length);
  const started = process.hrtime.bigint();
  for (let row = 0; row < file.values.length; row += 1) scores[row] = detector.update(file.timestamps[row] as number, file.values[row] as number);
  nanoseconds += process.hrtime.bigint() - started;
  updates += file.values.length;
  return scores;
});
if (values.output) for (const [index, file] of corpus.files.entries()) writeDetectorOutput(resolve(values.output), OUR_NAME, file, ourScores[index] as number[]);

// 2. Every detector scored with the same scorer.
const detectors = new Map<string, number[][]>([[`${OUR_NAME} (ours)`, ourScores]]);
for (const golden of GOLDEN_DETECTORS) detectors.set(golden, corpus.files.map((file) => readGoldenScores(datasetsPath, golden, file)));

interface Counts {
  windowsDetected: number;
  falsePositiveRows: number;
}

/** Windows with at least one detection and detections outside every window, after probation. */
function countDetections(files: readonly NabFile[], scores: readonly number[][], threshold: number): Counts {
  let windowsDetected = 0;
  let falsePositiveRows = 0;
  files.forEach((file, index) => {
    const fileScores = scores[index] as number[];
    const hit = new Set<number>();
    for (let row = file.probationRows; row < fileScores.length; row += 1) {
      if ((fileScores[row] as number) < threshold) continue;
      const window = file.windows.findIndex((candidate) => candidate.firstRow <= row && row <= candidate.lastRow);
      if (window >= 0) hit.add(window);
      else falsePositiveRows += 1;
    }
    windowsDetected += hit.size;
  });
  return { windowsDetected, falsePositiveRows };
}

const windowCount = corpus.files.reduce((sum, file) => sum + file.windows.length, 0);
const lines = [
  '| detector | standard | reward_low_FP_rate | reward_low_FN_rate | windows detected / FP rows (standard θ*) | standard, leave-one-category-out |',
  '|---|---|---|---|---|---|',
];
const results = new Map<string, Record<ProfileName, CorpusScore>>();
for (const [name, scores] of detectors) {
  const files = corpus.files.map((file, index) => ({ ...file, anomalyScores: scores[index] as number[] }));
  const byProfile = Object.fromEntries(PROFILE_NAMES.map((profile) => [profile, scoreCorpus(files, corpus.profiles[profile])])) as Record<ProfileName, CorpusScore>;
  results.set(name, byProfile);
  const counts = countDetections(corpus.files, scores, byProfile.standard.threshold);
  const cells = PROFILE_NAMES.map((profile) => `${byProfile[profile].normalizedScore.toFixed(2)} (θ* ${formatThreshold(byProfile[profile].threshold)}, raw ${byProfile[profile].rawScore.toFixed(2)})`);
  const crossValidated = crossValidatedScore(files, corpus.profiles.standard);
  lines.push(`| ${name} | ${cells.join(' | ')} | ${counts.windowsDetected}/${windowCount} / ${counts.falsePositiveRows} | ${crossValidated.normalizedScore.toFixed(2)} |`);
}

function formatThreshold(threshold: number): string {
  return Number(threshold.toPrecision(6)).toString();
}

// 3. What the product does: our score at the recommended threshold rather than the optimised one.
const ours = corpus.files.map((file, index) => ({ ...file, anomalyScores: ourScores[index] as number[] }));
const atRecommended = PROFILE_NAMES.map((profile) => {
  const clipped = ours.map((file) => ({ ...file, anomalyScores: file.anomalyScores.map((score) => (score >= RECOMMENDED_ALERT_THRESHOLD ? 1 : 0)) }));
  return `${profile} ${scoreCorpus(clipped, corpus.profiles[profile]).normalizedScore.toFixed(2)}`;
});

const seconds = Number(nanoseconds) / 1e9;
const processor = cpus()[0]?.model.trim() ?? 'unknown processor';
console.log(`# NAB development subset (${corpus.files.length} files, ${windowCount} windows)\n`);
console.log(`command: npm run bench:nab${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`);
console.log(`date: ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${cpus().length} × ${processor}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`);
console.log(`throughput (ours): ${Math.round(updates / seconds).toLocaleString('en-US')} updates/s (${((seconds * 1e6) / updates).toFixed(2)} µs per update, ${updates.toLocaleString('en-US')} updates in ${seconds.toFixed(2)} s)\n`);
console.log('NAB score, normalised (null = 0, perfect = 100), with the corpus-optimised threshold θ* and the raw score:\n');
console.log(lines.join('\n'));
console.log('\nLeave-one-category-out: each category scored at the standard threshold its six siblings choose; the detectors\' own settings are as run (ours were chosen on this subset).');
console.log(`\nOurs with alerts at RECOMMENDED_ALERT_THRESHOLD = ${RECOMMENDED_ALERT_THRESHOLD} (no re-optimisation): ${atRecommended.join(', ')}`);
if (values.output) console.log(`\nper-file outputs: ${resolve(values.output)}/${OUR_NAME}/<category>/${OUR_NAME}_<file>.csv`);
