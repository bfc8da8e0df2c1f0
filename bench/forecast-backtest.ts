/**
 * The capacity-forecast backtest of shared/datasets/forecast/README.md on its development series:
 * `aiops forecast --backtest` runs as a user runs it (one process per NAB category, the default
 * configuration), and its predictions are scored beside the protocol's seasonal naive and a
 * predict_linear-style line, on the same origins and points, in one run.
 *
 *   npm run -s bench:forecast -- [--data ../shared/datasets]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseSeriesCsv } from '../src/commands/series-csv.js';
import { linearPrediction, scoreSeries, seasonalNaivePrediction, type PredictedOrigin, type SeriesScore } from './forecast-scoring.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CATEGORIES = ['realAWSCloudwatch', 'realKnownCause'];
const SUBJECTS = ['aiops', 'seasonal naive', 'linear'] as const;
type Subject = (typeof SUBJECTS)[number];

const { values: options } = parseArgs({ options: { data: { type: 'string', default: join(REPOSITORY_ROOT, '..', 'shared', 'datasets') } } });
const nab = join(options.data!, 'nab');
const windows = JSON.parse(readFileSync(join(nab, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
const output = mkdtempSync(join(tmpdir(), 'aiops-forecast-backtest-'));

let cliSeconds = 0;
for (const category of CATEGORIES) {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'forecast', '--input', join(nab, 'data', category), '--backtest', '--output', join(output, category)], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  cliSeconds += (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`aiops forecast --backtest failed on ${category}: ${run.stderr}`);
}

interface Row {
  series: string;
  horizon: 'hour' | 'day';
  models: Map<string, number>;
  missing: number;
  scores: Record<'all' | 'masked', Record<Subject, SeriesScore>>;
}
const rows: Row[] = [];
for (const category of CATEGORIES) {
  for (const file of Object.keys(windows).filter((name) => name.startsWith(`${category}/`)).sort()) {
    const series = parseSeriesCsv(readFileSync(join(nab, 'data', file), 'utf8'), file);
    const values = series.map((row) => row.value);
    const spacings = series.slice(1).map((row, index) => row.timestamp - series[index]!.timestamp).sort((left, right) => left - right);
    const stepSeconds = spacings[Math.floor(spacings.length / 2)]! / 1000;
    const day = Math.round(86_400 / stepSeconds);
    const ranges = windows[file]!.map(([from, to]) => [Date.parse(`${from.slice(0, 19).replace(' ', 'T')}Z`), Date.parse(`${to.slice(0, 19).replace(' ', 'T')}Z`)] as const);
    const masked = (row: number) => ranges.some(([from, to]) => series[row]!.timestamp >= from && series[row]!.timestamp <= to);
    const predicted = JSON.parse(readFileSync(join(output, file.replace(/\.csv$/, '.json')), 'utf8')) as { origins: Array<{ origin_index: number; horizon: number; model: string; yhat: number[]; upper: number[] }> };
    for (const [name, horizon] of [['hour', Math.max(1, Math.round(3600 / stepSeconds))], ['day', day]] as const) {
      const origins: number[] = [];
      for (let origin = 7 * day - 1; origin + horizon <= values.length - 1; origin += day) origins.push(origin);
      if (origins.length === 0) continue;
      const ours = new Map(predicted.origins.filter((entry) => entry.horizon === horizon).map((entry) => [entry.origin_index, entry]));
      const models = new Map<string, number>();
      for (const entry of ours.values()) models.set(entry.model, (models.get(entry.model) ?? 0) + 1);
      const scored = origins.filter((origin) => ours.has(origin));
      const predictions: Record<Subject, PredictedOrigin[]> = {
        aiops: scored.map((origin) => ({ originIndex: origin, horizon, yhat: ours.get(origin)!.yhat, upper: ours.get(origin)!.upper })),
        'seasonal naive': scored.map((origin) => seasonalNaivePrediction(values, origin, horizon, day)),
        linear: scored.map((origin) => linearPrediction(values, origin, horizon, horizon)),
      };
      const score = (mask?: (row: number) => boolean) =>
        Object.fromEntries(SUBJECTS.map((subject) => [subject, scoreSeries(values, predictions[subject], { stepsPerDay: day, ...(mask ? { masked: mask } : {}) })])) as Record<Subject, SeriesScore>;
      rows.push({ series: file, horizon: name, models, missing: origins.length - scored.length, scores: { all: score(), masked: score(masked) } });
    }
  }
}
rmSync(output, { recursive: true, force: true });

const format = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const mean = (numbers: number[]) => numbers.filter(Number.isFinite).reduce((sum, value, _, all) => sum + value / all.length, 0);
for (const variant of ['all', 'masked'] as const) {
  console.log(`\n### ${variant === 'all' ? 'all points' : 'anomaly windows masked'}\n`);
  console.log('| horizon | subject | relMAE | MASE | sMAPE % | coverage of the 95% upper bound |');
  console.log('|---|---|---|---|---|---|');
  for (const horizon of ['hour', 'day'] as const) {
    const chosen = rows.filter((row) => row.horizon === horizon);
    for (const subject of SUBJECTS) {
      const scores = chosen.map((row) => row.scores[variant][subject]);
      console.log(`| 1 ${horizon} | ${subject} | ${format(mean(scores.map((score) => score.relativeMeanAbsoluteError)))} | ${format(mean(scores.map((score) => score.meanAbsoluteScaledError)))} | ${format(mean(scores.map((score) => score.symmetricPercentageError)), 1)} | ${format(mean(scores.map((score) => score.coverage)))} |`);
    }
  }
}
console.log('\n### per series (all points): relMAE and coverage of aiops; the models it chose\n');
console.log('| series | horizon | relMAE | coverage | MASE (aiops / seasonal naive) | models chosen (origins) |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  const ours = row.scores.all.aiops;
  const models = [...row.models.entries()].sort((left, right) => right[1] - left[1]).map(([model, count]) => `${model} ×${count}`).join('; ');
  console.log(`| ${row.series.split('/')[1]!.replace(/\.csv$/, '')} | 1 ${row.horizon} | ${format(ours.relativeMeanAbsoluteError)} | ${format(ours.coverage)} | ${format(ours.meanAbsoluteScaledError)} / ${format(row.scores.all['seasonal naive'].meanAbsoluteScaledError)} | ${models}${row.missing > 0 ? ` (${row.missing} origins missing)` : ''} |`);
}
console.log(`\naiops forecast --backtest: ${CATEGORIES.length} processes, ${cliSeconds.toFixed(1)} s in all, ${rows.length} series × horizon`);
