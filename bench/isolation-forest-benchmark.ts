/**
 * Our Isolation Forest side by side with ml-isolation-forest and scikit-learn's IsolationForest on
 * the same data, in one run:
 *
 *   npm run bench:iforest [-- --repeats 5 --seed 42 --python /usr/bin/python3]
 *
 * Data: 5 signals, 20,000 normal rows from a strongly correlated Gaussian and 200 anomalies (100
 * that break the correlation while keeping plausible marginals, 100 with one signal shifted by 4 to
 * 6 standard deviations), shuffled; every subject fits on the first 10,000 rows and scores all
 * 20,200. Each subject runs in its own fresh process so memory figures do not mix: timings are the
 * median of `--repeats` fits and scores, taken inside that process (Python times itself with
 * perf_counter); memory is the peak RSS growth over the first fit and score together, measured the
 * same way for all three (reset the kernel's high-water mark through /proc/self/clear_refs, read
 * VmHWM from /proc/self/status afterwards, subtract the RSS just before). ROC AUC (anomalies are
 * positives) is computed here from each subject's scores with the same code.
 *
 * scikit-learn needs Debian's python3-sklearn (apt-get install -y --no-install-recommends
 * python3-sklearn); it runs with n_jobs=1 and its BLAS/OpenMP limited to one thread.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IsolationForest } from 'ml-isolation-forest';
import { fitIsolationForest, scoreIsolationForest } from '../src/detection/isolation-forest.js';
import { SeededRandom } from '../src/detection/seeded-random.js';

const FEATURES = 5;
const NORMAL_ROWS = 20_000;
const ANOMALY_ROWS = 200;
const TRAIN_ROWS = 10_000;
const TREES = 100;
const SAMPLE_SIZE = 256;
/** Seed of the data set; the forests' seed is `--seed` (the same default). */
const DATA_SEED = 42;
const MEBIBYTE = 1_048_576;

interface SubjectResult {
  fitSeconds: number;
  scoreSeconds: number;
  peakGrowthBytes: number;
  /** How the peak was measured: "VmHWM" after a reset, or "maxrss" where /proc/self/clear_refs is not writable. */
  memoryMethod: string;
  version: string;
}

// ---- The orchestrating process ----------------------------------------------------------------

function runBenchmark(repeatCount: number, pythonOption: string | undefined): void {
  const { rows, labels } = generateDataSet();
  const directory = mkdtempSync(join(tmpdir(), 'aiops-iforest-bench-'));
  try {
    const dataPath = join(directory, 'rows.f64');
    writeFileSync(dataPath, toLittleEndianBytes(rows));
    const python = pythonOption ?? findPythonWithScikitLearn();
    const subjects: Array<[string, SubjectResult, Float64Array]> = [];
    for (const subject of ['ours', 'ml-isolation-forest']) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--subject', subject, '--data', dataPath, '--repeats', String(repeatCount), '--seed', String(forestSeed)], { encoding: 'utf8', maxBuffer: 16 * MEBIBYTE });
      if (child.status !== 0) throw new Error(`${subject} failed: ${child.stderr}`);
      subjects.push([subject === 'ours' ? 'ours (src/detection/isolation-forest.ts)' : 'ml-isolation-forest', lastJsonLine(child.stdout), readScores(`${dataPath}.${subject}.scores`)]);
    }
    const threadLimits = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const child = spawnSync(python, ['-c', PYTHON_SUBJECT, dataPath, String(FEATURES), String(TRAIN_ROWS), String(repeatCount), String(forestSeed)], { encoding: 'utf8', env: { ...process.env, ...threadLimits }, maxBuffer: 16 * MEBIBYTE });
    if (child.status !== 0) throw new Error(`scikit-learn (${python}) failed: ${child.stderr}`);
    const sklearn = lastJsonLine(child.stdout);
    subjects.push([`scikit-learn ${sklearn.version}`, sklearn, readScores(`${dataPath}.sklearn.scores`)]);
    printReport(subjects, labels, python, repeatCount);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function printReport(subjects: Array<[string, SubjectResult, Float64Array]>, labels: Uint8Array, python: string, repeatCount: number): void {
  const [, reference, referenceScores] = subjects[subjects.length - 1]!;
  const referenceAuc = rocAuc(referenceScores, labels);
  const cpuList = cpus();
  const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}` : 'n/a');
  console.log(`Command: npm run bench:iforest -- --repeats ${repeatCount} --seed ${forestSeed}`);
  console.log(`Date: ${new Date().toISOString()}`);
  console.log(`Machine: ${cpuList.length} × ${cpuList[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${python}`);
  console.log(`OPENBLAS_CORETYPE: ${process.env.OPENBLAS_CORETYPE ?? 'unset'}; scikit-learn ran with n_jobs=1, OMP/OPENBLAS/MKL_NUM_THREADS=1`);
  console.log(`Data: ${NORMAL_ROWS} normal + ${ANOMALY_ROWS} anomalies × ${FEATURES} features, fit on the first ${TRAIN_ROWS} rows (${labels.subarray(0, TRAIN_ROWS).reduce((sum, label) => sum + label, 0)} of them anomalies), score all; ${TREES} trees, ψ = ${SAMPLE_SIZE} (ml-isolation-forest has no ψ: it grows every tree on all ${TRAIN_ROWS} rows)`);
  console.log(`Timings: median of ${repeatCount} in-process runs; memory: peak RSS growth over the first fit + score (${reference.memoryMethod})`);
  console.log('');
  console.log('| implementation | fit (s) | score (s) | peak RSS growth (MiB) | ROC AUC | Spearman vs sklearn | fit / sklearn | score / sklearn | memory / sklearn | AUC − sklearn |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, result, scores] of subjects) {
    const auc = rocAuc(scores, labels);
    const cells = [
      name,
      result.fitSeconds.toFixed(4),
      result.scoreSeconds.toFixed(4),
      (result.peakGrowthBytes / MEBIBYTE).toFixed(1),
      auc.toFixed(4),
      spearman(scores, referenceScores).toFixed(3),
      ratio(result.fitSeconds, reference.fitSeconds),
      ratio(result.scoreSeconds, reference.scoreSeconds),
      ratio(result.peakGrowthBytes, reference.peakGrowthBytes),
      `${auc - referenceAuc >= 0 ? '+' : ''}${(auc - referenceAuc).toFixed(4)}`,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const [, ours, ourScores] = subjects[0]!;
  const aucGap = rocAuc(ourScores, labels) - referenceAuc;
  console.log('');
  console.log(`Target AUC within 0.01 of scikit-learn: ${Math.abs(aucGap) <= 0.01 ? 'met' : 'MISSED'} (${aucGap.toFixed(4)})`);
  console.log(`Target fit no slower than scikit-learn: ${ours.fitSeconds <= reference.fitSeconds ? 'met' : 'MISSED'} (${ratio(ours.fitSeconds, reference.fitSeconds)}×)`);
  console.log(`Target score no slower than scikit-learn: ${ours.scoreSeconds <= reference.scoreSeconds ? 'met' : 'MISSED'} (${ratio(ours.scoreSeconds, reference.scoreSeconds)}×)`);
}

/**
 * Normal rows are L·z with L the Cholesky factor of a covariance whose correlations run from 0.6
 * to 0.9, so "odd" means "off the correlation structure", which an isolation forest can only see
 * through several axis-parallel cuts; the shifted anomalies are the easy kind.
 */
function generateDataSet(): { rows: Float64Array[]; labels: Uint8Array } {
  const covariance = [
    [1.0, 0.9, 0.8, 0.7, 0.6],
    [0.9, 1.0, 0.85, 0.75, 0.65],
    [0.8, 0.85, 1.0, 0.8, 0.7],
    [0.7, 0.75, 0.8, 1.0, 0.85],
    [0.6, 0.65, 0.7, 0.85, 1.0],
  ];
  const factor = cholesky(covariance);
  const random = new SeededRandom(DATA_SEED);
  const correlated = (): Float64Array => {
    const independent = Array.from({ length: FEATURES }, () => random.nextGaussian());
    return Float64Array.from(factor, (weights) => weights.reduce((sum, weight, column) => sum + weight * independent[column]!, 0));
  };
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  for (let index = 0; index < NORMAL_ROWS; index += 1) {
    rows.push(correlated());
    labels.push(0);
  }
  for (let index = 0; index < ANOMALY_ROWS / 2; index += 1) {
    rows.push(Float64Array.from({ length: FEATURES }, () => 3 * (2 * random.next() - 1)));
    labels.push(1);
  }
  for (let index = 0; index < ANOMALY_ROWS / 2; index += 1) {
    const row = correlated();
    const shifted = random.nextInt(FEATURES);
    row[shifted] = row[shifted]! + (random.next() < 0.5 ? -1 : 1) * (4 + 2 * random.next());
    rows.push(row);
    labels.push(1);
  }
  for (let index = rows.length - 1; index > 0; index -= 1) {
    const other = random.nextInt(index + 1);
    [rows[index], rows[other]] = [rows[other]!, rows[index]!];
    [labels[index], labels[other]] = [labels[other]!, labels[index]!];
  }
  return { rows, labels: Uint8Array.from(labels) };
}

function cholesky(matrix: number[][]): number[][] {
  const size = matrix.length;
  const lower = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column <= row; column += 1) {
      let sum = matrix[row]![column]!;
      for (let inner = 0; inner < column; inner += 1) sum -= lower[row]![inner]! * lower[column]![inner]!;
      if (row === column && sum <= 0) throw new Error('covariance is not positive definite');
      lower[row]![column] = row === column ? Math.sqrt(sum) : sum / lower[column]![column]!;
    }
  }
  return lower;
}

/** Mann-Whitney form of the ROC AUC, ties sharing their average rank (as scikit-learn's roc_auc_score). */
function rocAuc(scores: Float64Array, labels: Uint8Array): number {
  const ranks = averageRanks(scores);
  let positives = 0;
  let positiveRankSum = 0;
  labels.forEach((label, index) => {
    if (label === 1) {
      positives += 1;
      positiveRankSum += ranks[index]!;
    }
  });
  const negatives = labels.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function spearman(first: Float64Array, second: Float64Array): number {
  const rankFirst = averageRanks(first);
  const rankSecond = averageRanks(second);
  const mean = (first.length + 1) / 2;
  let covariance = 0;
  let varianceFirst = 0;
  let varianceSecond = 0;
  for (let index = 0; index < first.length; index += 1) {
    const deltaFirst = rankFirst[index]! - mean;
    const deltaSecond = rankSecond[index]! - mean;
    covariance += deltaFirst * deltaSecond;
    varianceFirst += deltaFirst * deltaFirst;
    varianceSecond += deltaSecond * deltaSecond;
  }
  return covariance / Math.sqrt(varianceFirst * varianceSecond);
}

function averageRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((left, right) => values[left]! - values[right]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end += 1;
    for (let position = start; position < end; position += 1) ranks[order[position]!] = (start + end + 1) / 2;
    start = end;
  }
  return ranks;
}

function findPythonWithScikitLearn(): string {
  // Debian's python3-sklearn lives under /usr/bin/python3; a pyenv shim earlier on PATH lacks it.
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    if (spawnSync(candidate, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('no python3 with scikit-learn: apt-get install -y --no-install-recommends python3-sklearn, or pass --python');
}

function lastJsonLine(stdout: string): SubjectResult {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as SubjectResult;
}

function toLittleEndianBytes(rows: Float64Array[]): Buffer {
  const bytes = Buffer.alloc(rows.length * FEATURES * 8);
  rows.forEach((row, rowIndex) => row.forEach((value, column) => bytes.writeDoubleLE(value, (rowIndex * FEATURES + column) * 8)));
  return bytes;
}

function readScores(path: string): Float64Array {
  const bytes = readFileSync(path);
  return Float64Array.from({ length: bytes.length / 8 }, (_, index) => bytes.readDoubleLE(index * 8));
}

// ---- A subject's own process -------------------------------------------------------------------

function runJavaScriptSubject(subject: string, dataPath: string, repeatCount: number): void {
  const bytes = readFileSync(dataPath);
  const rowCount = bytes.length / 8 / FEATURES;
  const rows = Array.from({ length: rowCount }, (_, rowIndex) => Float64Array.from({ length: FEATURES }, (_, column) => bytes.readDoubleLE((rowIndex * FEATURES + column) * 8)));
  const fitAndScore = subject === 'ours' ? oursFitAndScore(rows) : mlFitAndScore(rows);
  const fitTimes: number[] = [];
  const scoreTimes: number[] = [];
  let firstScores: Float64Array | undefined;
  let peakGrowthBytes = 0;
  let memoryMethod = '';
  for (let run = 0; run < repeatCount; run += 1) {
    const memory = run === 0 ? startPeakMeasurement() : undefined;
    const { fitSeconds, scoreSeconds, scores } = fitAndScore();
    if (memory) ({ peakGrowthBytes, memoryMethod } = memory());
    fitTimes.push(fitSeconds);
    scoreTimes.push(scoreSeconds);
    firstScores ??= scores;
  }
  writeFileSync(`${dataPath}.${subject}.scores`, Buffer.from(firstScores!.buffer, firstScores!.byteOffset, firstScores!.byteLength));
  const result: SubjectResult = { fitSeconds: median(fitTimes), scoreSeconds: median(scoreTimes), peakGrowthBytes, memoryMethod, version: subject };
  console.log(JSON.stringify(result));
}

type FitAndScore = () => { fitSeconds: number; scoreSeconds: number; scores: Float64Array };

function oursFitAndScore(rows: Float64Array[]): FitAndScore {
  const training = rows.slice(0, TRAIN_ROWS);
  return () => {
    let started = process.hrtime.bigint();
    const model = fitIsolationForest(training, { trees: TREES, sampleSize: SAMPLE_SIZE, seed: forestSeed });
    const fitSeconds = seconds(started);
    started = process.hrtime.bigint();
    const scores = scoreIsolationForest(model, rows);
    return { fitSeconds, scoreSeconds: seconds(started), scores };
  };
}

function mlFitAndScore(rows: Float64Array[]): FitAndScore {
  // Its trees filter and map plain arrays; handing it typed rows would only slow it down.
  const plainRows = rows.map((row) => Array.from(row));
  const training = plainRows.slice(0, TRAIN_ROWS);
  return () => {
    let started = process.hrtime.bigint();
    const forest = new IsolationForest({ nEstimators: TREES });
    forest.train(training);
    const fitSeconds = seconds(started);
    started = process.hrtime.bigint();
    const scores = Float64Array.from(forest.predict(plainRows));
    return { fitSeconds, scoreSeconds: seconds(started), scores };
  };
}

/** Resets the kernel's peak-RSS mark, remembers the RSS now; the returned function reads the growth. */
function startPeakMeasurement(): () => { peakGrowthBytes: number; memoryMethod: string } {
  let method = 'VmHWM after resetting it through /proc/self/clear_refs';
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    method = 'getrusage maxrss (clear_refs not writable: includes start-up peaks)';
  }
  const before = process.memoryUsage.rss();
  return () => {
    const peak = method.startsWith('VmHWM') ? statusKibibytes('VmHWM') * 1024 : process.resourceUsage().maxRSS * 1024;
    return { peakGrowthBytes: Math.max(0, peak - before), memoryMethod: method };
  };
}

function statusKibibytes(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const PYTHON_SUBJECT = String.raw`
import json, resource, sys, time
import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest

data_path, features, train_rows, repeats, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = np.fromfile(data_path, dtype='<f8').reshape(-1, features)
training = rows[:train_rows]

def rss_bytes():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024

def hwm_bytes():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024

fit_times, score_times = [], []
for run in range(repeats):
    if run == 0:
        try:
            with open('/proc/self/clear_refs', 'w') as clear:
                clear.write('5')
            method = 'VmHWM after resetting it through /proc/self/clear_refs'
        except OSError:
            method = 'getrusage maxrss (clear_refs not writable: includes start-up peaks)'
        before = rss_bytes()
    started = time.perf_counter()
    model = IsolationForest(n_estimators=100, max_samples=256, random_state=seed, n_jobs=1).fit(training)
    fit_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    scores = -model.score_samples(rows)
    score_times.append(time.perf_counter() - started)
    if run == 0:
        peak = hwm_bytes() if method.startswith('VmHWM') else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        peak_growth = max(0, peak - before)
        scores.astype('<f8').tofile(data_path + '.sklearn.scores')

print(json.dumps({'fitSeconds': float(np.median(fit_times)), 'scoreSeconds': float(np.median(score_times)),
                  'peakGrowthBytes': peak_growth, 'memoryMethod': method, 'version': sklearn.__version__}))
`;

// Last, so that every constant above is initialised before a subject runs.
const { values } = parseArgs({
  options: {
    subject: { type: 'string' },
    data: { type: 'string' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    python: { type: 'string' },
  },
});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 50) {
  console.error('bench:iforest: --repeats: expected a whole number from 1 to 50');
  process.exit(2);
}

const forestSeed = Number(values.seed);
if (!Number.isInteger(forestSeed) || forestSeed < 0 || forestSeed >= 2 ** 32) {
  console.error('bench:iforest: --seed: expected a whole number from 0 to 4294967295');
  process.exit(2);
}

if (values.subject !== undefined) {
  runJavaScriptSubject(values.subject, values.data ?? '', repeats);
} else {
  runBenchmark(repeats, values.python);
}
