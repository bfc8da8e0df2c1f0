/**
 * The Numenta Anomaly Benchmark scorer, exactly as `../shared/datasets/nab/SCORING.md` specifies it
 * (read from NAB's sweeper.py, scorer.py, optimizer.py and runner.py). Pure functions: the corpus
 * reader lives in nab-corpus.ts. Section numbers below refer to SCORING.md.
 */

/** One of NAB's cost matrices (`config/profiles.json`); `tnWeight` is unused by the scorer. */
export interface CostProfile {
  truePositiveWeight: number;
  falsePositiveWeight: number;
  falseNegativeWeight: number;
}

/** The label of a sweep row: a window id (`"<file>|<window start>"`), `null` outside every window. */
export type SweepLabel = string | null | typeof PROBATIONARY;

export const PROBATIONARY = Symbol('probationary');

/** One row of the sweep (§5): the detector's score, the row's NAB weight and its label. */
export interface SweepRow {
  anomalyScore: number;
  weight: number;
  label: SweepLabel;
}

/** An entry of the score-by-threshold curve (§6): detections are the rows with `anomalyScore >= threshold`. */
export interface ThresholdScore {
  threshold: number;
  score: number;
}

/** A window by the indices of its first and last rows in the file (both inclusive). */
export interface WindowRows {
  firstRow: number;
  lastRow: number;
  /** Names the window in corpus-wide sums; must be unique across files. */
  id: string;
}

/** NAB's constants (§3). */
export const PROBATION_PERCENT = 0.15;
const PROBATION_ROW_CAP = 0.15 * 5000;
/** Above every anomaly score: the threshold at which nothing is detected. */
export const NEVER_FIRE_THRESHOLD = 1.1;

/** Rows with index below this are dropped from scoring (§3); NAB also tells the detector. */
export function probationaryPeriod(rowCount: number): number {
  return Math.min(Math.floor(PROBATION_PERCENT * rowCount), PROBATION_ROW_CAP);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** §4: +0.98661 at the start of a window (y = -1), 0 at its end, → -1 far after it. */
export function scaledSigmoid(y: number): number {
  if (y > 3.0) return -1.0;
  return 2 * sigmoid(-5 * y) - 1.0;
}

const MAX_TRUE_POSITIVE = scaledSigmoid(-1.0);

/**
 * Resolves windows given as timestamps to row indices. Both ends must be exact data timestamps
 * (NAB's labels are), otherwise the window cannot be scored and this throws.
 */
export function windowRows(fileName: string, timestamps: readonly number[], windows: ReadonlyArray<readonly [number, number]>): WindowRows[] {
  const rowOf = new Map<number, number>();
  timestamps.forEach((timestamp, row) => {
    if (!rowOf.has(timestamp)) rowOf.set(timestamp, row);
  });
  return windows.map(([start, end], index) => {
    const firstRow = rowOf.get(start);
    const lastRow = rowOf.get(end);
    if (firstRow === undefined || lastRow === undefined) throw new Error(`${fileName}: window ${index} does not start and end on data rows`);
    return { firstRow, lastRow, id: `${fileName}|${start}` };
  });
}

/**
 * §5: the weight of every row of one file. `windows` sorted, non-overlapping. Rows before the
 * probationary period are labelled PROBATIONARY and carry no weight in any score.
 */
export function sweepScores(anomalyScores: readonly number[], windows: readonly WindowRows[], profile: CostProfile, probationRows: number): SweepRow[] {
  const rows: SweepRow[] = [];
  let nextWindow = 0;
  let current: WindowRows | undefined;
  let currentWidth = 0;
  let previousRight: number | undefined;
  let previousWidth = 0;
  for (let row = 0; row < anomalyScores.length; row += 1) {
    const upcoming = windows[nextWindow];
    if (current === undefined && upcoming !== undefined && row === upcoming.firstRow) {
      current = upcoming;
      currentWidth = upcoming.lastRow - upcoming.firstRow + 1;
      nextWindow += 1;
    }
    let weight: number;
    if (current !== undefined) {
      const position = -(current.lastRow - row + 1) / currentWidth;
      weight = (scaledSigmoid(position) * profile.truePositiveWeight) / MAX_TRUE_POSITIVE;
    } else if (previousRight === undefined) {
      weight = -1.0 * profile.falsePositiveWeight;
    } else {
      const position = Math.abs(previousRight - row) / (previousWidth - 1);
      weight = scaledSigmoid(position) * profile.falsePositiveWeight;
    }
    const label: SweepLabel = row < probationRows ? PROBATIONARY : (current?.id ?? null);
    rows.push({ anomalyScore: anomalyScores[row] as number, weight, label });
    if (current !== undefined && row === current.lastRow) {
      previousRight = row;
      previousWidth = currentWidth;
      current = undefined;
    }
  }
  return rows;
}

/**
 * §6: the score at every candidate threshold, highest threshold first. Sums are taken over the
 * parts in NAB's order (false positives, then windows in order of appearance) so that the
 * optimiser's tie-breaking sees the same numbers NAB's does.
 */
export function scoreByThreshold(rows: readonly SweepRow[], profile: CostProfile): ThresholdScore[] {
  const scorable = rows.filter((row) => row.label !== PROBATIONARY);
  // Array.prototype.sort is stable, as Python's sorted(reverse=True) is.
  scorable.sort((left, right) => right.anomalyScore - left.anomalyScore);
  const partIndex = new Map<string, number>();
  const parts: number[] = [0];
  for (const row of scorable) {
    if (typeof row.label === 'string' && !partIndex.has(row.label)) {
      partIndex.set(row.label, parts.length);
      parts.push(-profile.falseNegativeWeight);
    }
  }
  const total = () => {
    let sum = 0;
    for (const part of parts) sum += part;
    return sum;
  };
  const curve: ThresholdScore[] = [];
  let threshold = NEVER_FIRE_THRESHOLD;
  for (const row of scorable) {
    if (row.anomalyScore !== threshold) {
      curve.push({ threshold, score: total() });
      threshold = row.anomalyScore;
    }
    if (typeof row.label === 'string') {
      const index = partIndex.get(row.label) as number;
      parts[index] = Math.max(parts[index] as number, row.weight);
    } else {
      parts[0] = (parts[0] as number) + row.weight;
    }
  }
  curve.push({ threshold, score: total() });
  return curve;
}

/** §7: the best entry of the curve; ties go to the first (the highest threshold). */
export function optimizeThreshold(curve: readonly ThresholdScore[]): ThresholdScore {
  let best = curve[0] as ThresholdScore;
  for (const entry of curve) if (entry.score > best.score) best = entry;
  return best;
}

/**
 * §8: a file's score at the corpus threshold: the entry at exactly that threshold, else the one
 * before the first entry below it. When the threshold is below every score of the file (NAB would
 * fail), every row is detected: the last entry.
 */
export function scoreAtThreshold(curve: readonly ThresholdScore[], threshold: number): number {
  for (let index = 0; index < curve.length; index += 1) {
    const entry = curve[index] as ThresholdScore;
    if (entry.threshold === threshold) return entry.score;
    if (entry.threshold < threshold) return (curve[index - 1] ?? entry).score;
  }
  return (curve[curve.length - 1] as ThresholdScore).score;
}

/** §9: 100 for a perfect detector, 0 for the null detector. */
export function normalizeScore(rawScore: number, windowCount: number, profile: CostProfile): number {
  const perfect = windowCount * profile.truePositiveWeight;
  const nullScore = -windowCount * profile.falseNegativeWeight;
  return (100 * (rawScore - nullScore)) / (perfect - nullScore);
}

/** One file as the corpus scorer needs it. */
export interface ScoredFile {
  name: string;
  anomalyScores: readonly number[];
  windows: readonly WindowRows[];
  probationRows: number;
}

export interface CorpusScore {
  threshold: number;
  rawScore: number;
  normalizedScore: number;
  /** Per-file raw scores at the corpus threshold, in the order of the files given. */
  fileScores: Array<{ name: string; windowCount: number; rawScore: number }>;
}

/** §5–§9 for one detector and one profile over a set of files. */
export function scoreCorpus(files: readonly ScoredFile[], profile: CostProfile): CorpusScore {
  const sweeps = files.map((file) => sweepScores(file.anomalyScores, file.windows, profile, file.probationRows));
  const best = optimizeThreshold(scoreByThreshold(sweeps.flat(), profile));
  const fileScores = files.map((file, index) => ({
    name: file.name,
    windowCount: file.windows.length,
    rawScore: scoreAtThreshold(scoreByThreshold(sweeps[index] as SweepRow[], profile), best.threshold),
  }));
  const rawScore = fileScores.reduce((sum, file) => sum + file.rawScore, 0);
  const windowCount = files.reduce((sum, file) => sum + file.windows.length, 0);
  return { threshold: best.threshold, rawScore, normalizedScore: normalizeScore(rawScore, windowCount, profile), fileScores };
}

/**
 * Leave-one-category-out: each category's files are scored at the threshold that the other
 * categories' files choose (§7 over them alone), so no file is scored at a threshold its own labels
 * helped pick; the raw scores are summed and normalised over the whole corpus as §9 does. The
 * detector's own settings are whatever the caller ran: this cross-validates the threshold only.
 */
export function crossValidatedScore(files: readonly ScoredFile[], profile: CostProfile): { normalizedScore: number; rawScore: number } {
  const sweeps = files.map((file) => sweepScores(file.anomalyScores, file.windows, profile, file.probationRows));
  return crossValidatedSweeps(files.map((file) => file.name), sweeps, files.reduce((sum, file) => sum + file.windows.length, 0), profile);
}

/** The same from sweeps already made (one per file, named `<category>/<file>`). */
export function crossValidatedSweeps(names: readonly string[], sweeps: readonly SweepRow[][], windowCount: number, profile: CostProfile): { normalizedScore: number; rawScore: number } {
  const categoryOf = (name: string) => name.split('/')[0] ?? name;
  let rawScore = 0;
  for (const category of new Set(names.map(categoryOf))) {
    const training = sweeps.filter((_, index) => categoryOf(names[index]!) !== category);
    const threshold = optimizeThreshold(scoreByThreshold(training.flat(), profile)).threshold;
    sweeps.forEach((sweep, index) => {
      if (categoryOf(names[index]!) === category) rawScore += scoreAtThreshold(scoreByThreshold(sweep, profile), threshold);
    });
  }
  return { normalizedScore: normalizeScore(rawScore, windowCount, profile), rawScore };
}
