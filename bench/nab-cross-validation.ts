/**
 * Leave-one-category-out cross-validation of the detector's settings on NAB's development subset:
 * for each of the seven categories, the settings and the threshold are chosen on the other six
 * (highest standard raw score there) and the held-out category is scored with them; the held-out
 * raw scores are summed and normalised over the corpus. Beside it, in the same run, each setting's
 * development score (chosen on everything) and the threshold-only cross-validation of the default.
 *
 *   npm run bench:nab:cv [-- --datasets ../shared/datasets]
 *
 * The grid is the two settings whose perturbation moved the development score most (README of
 * BENCHMARKS.md, NAB section): how fast the forecasters' level follows, and how many rows the
 * anomaly likelihood averages. Every run is the product's detector (createDetector), online.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR_OPTIONS, createDetector, type DetectorOptions } from '../src/detection/create-detector.js';
import { defaultDatasetsPath, loadNabCorpus, type NabFile } from './nab/nab-corpus.js';
import { crossValidatedSweeps, normalizeScore, optimizeThreshold, scoreAtThreshold, scoreByThreshold, sweepScores } from './nab/nab-scorer.js';

const { values } = parseArgs({ options: { datasets: { type: 'string' } } });
const corpus = loadNabCorpus(resolve(values.datasets ?? defaultDatasetsPath()));
const profile = corpus.profiles.standard;

const GRID: DetectorOptions[] = [];
for (const levelSmoothing of [0.03, 0.05, 0.1]) for (const likelihoodShortWindow of [5, 10, 20]) GRID.push({ levelSmoothing, likelihoodShortWindow });
const label = (options: DetectorOptions) => `level ${options.levelSmoothing}, likelihood window ${options.likelihoodShortWindow}`;
const isDefault = (options: DetectorOptions) => options.levelSmoothing === DEFAULT_DETECTOR_OPTIONS.levelSmoothing && options.likelihoodShortWindow === DEFAULT_DETECTOR_OPTIONS.likelihoodShortWindow;

function run(file: NabFile, options: DetectorOptions): number[] {
  const detector = createDetector({ ...options, learningRows: file.probationRows });
  return file.values.map((value, row) => detector.update(file.timestamps[row]!, value));
}

const categoryOf = (file: NabFile) => file.name.split('/')[0]!;
const categories = [...new Set(corpus.files.map(categoryOf))].sort();
const sweepsBySetting = GRID.map((options) => corpus.files.map((file) => sweepScores(run(file, options), file.windows, profile, file.probationRows)));
const windowCount = corpus.files.reduce((sum, file) => sum + file.windows.length, 0);

let heldOutRaw = 0;
const choices: string[] = [];
for (const category of categories) {
  let best = { setting: 0, threshold: 1, score: Number.NEGATIVE_INFINITY };
  sweepsBySetting.forEach((sweeps, setting) => {
    const training = sweeps.filter((_, index) => categoryOf(corpus.files[index]!) !== category);
    const chosen = optimizeThreshold(scoreByThreshold(training.flat(), profile));
    if (chosen.score > best.score) best = { setting, threshold: chosen.threshold, score: chosen.score };
  });
  sweepsBySetting[best.setting]!.forEach((sweep, index) => {
    if (categoryOf(corpus.files[index]!) === category) heldOutRaw += scoreAtThreshold(scoreByThreshold(sweep, profile), best.threshold);
  });
  choices.push(`| ${category} | ${label(GRID[best.setting]!)}${isDefault(GRID[best.setting]!) ? ' (the default)' : ''} | ${Number(best.threshold.toPrecision(6))} |`);
}

console.log(`# NAB development subset, leave-one-category-out (${corpus.files.length} files, ${categories.length} categories)\n`);
console.log(`date: ${new Date().toISOString().slice(0, 10)}; machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}\n`);
console.log('| setting | standard, development (threshold on all files) | standard, threshold-only cross-validation |');
console.log('|---|---|---|');
GRID.forEach((options, setting) => {
  const development = optimizeThreshold(scoreByThreshold(sweepsBySetting[setting]!.flat(), profile));
  const crossValidated = crossValidatedSweeps(corpus.files.map((file) => file.name), sweepsBySetting[setting]!, windowCount, profile);
  console.log(`| ${label(options)}${isDefault(options) ? ' **(default)**' : ''} | ${normalizeScore(development.score, windowCount, profile).toFixed(2)} | ${crossValidated.normalizedScore.toFixed(2)} |`);
});
console.log(`\n**Settings and threshold chosen per fold on the other six categories: standard ${normalizeScore(heldOutRaw, windowCount, profile).toFixed(2)}** (held-out raw ${heldOutRaw.toFixed(2)})\n`);
console.log('| held-out category | setting chosen on the other six | threshold |');
console.log('|---|---|---|');
console.log(choices.join('\n'));

