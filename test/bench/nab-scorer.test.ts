import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GOLDEN_DETECTORS, type NabCorpus, type ProfileName, loadNabCorpus, readGoldenScores, writeDetectorOutput } from '../../bench/nab/nab-corpus.js';
import {
  type CostProfile,
  type CorpusScore,
  PROBATIONARY,
  normalizeScore,
  probationaryPeriod,
  scaledSigmoid,
  scoreAtThreshold,
  scoreByThreshold,
  crossValidatedScore,
  scoreCorpus,
  sweepScores,
} from '../../bench/nab/nab-scorer.js';

import { DATASETS_PATH, skipWithout } from '../support/requirements.js';

/** A corpus in NAB's layout small enough to live in the repository: three files, two windows (see its README). */
const FIXTURE_PATH = fileURLToPath(new URL('../fixtures/datasets', import.meta.url));

/** DEV_SCORES.md, "Full precision": threshold, raw score, normalised score. */
const DEV_SCORES: Record<string, Record<ProfileName, [number, number, number]>> = {
  numenta: {
    standard: [0.544449877418, 24.173905597394896, 71.20518034859201],
    reward_low_FP_rate: [0.581621033511, 17.083798469867343, 64.98578813146258],
    reward_low_FN_rate: [0.504178337413, 15.729283219909505, 75.86507790637984],
  },
  windowedGaussian: {
    standard: [1.0, -15.150358495574654, 36.71021184598715],
    reward_low_FP_rate: [1.0, -32.60671531724135, 21.397618142770746],
    reward_low_FN_rate: [0.999999978912, -36.75460765379892, 45.17274406210589],
  },
  randomCutForest: {
    standard: [0.454019111529, 2.2764042543671206, 51.996845837164145],
    reward_low_FP_rate: [0.575366064803, -13.357001708766264, 38.283331834415556],
    reward_low_FN_rate: [0.454019111529, -9.72359574563288, 60.980353365126966],
  },
  null: {
    standard: [1.1, -57.0, 0.0],
    reward_low_FP_rate: [1.1, -57.0, 0.0],
    reward_low_FN_rate: [1.1, -114.0, 0.0],
  },
};

/** DEV_SCORES.md, "Per-file raw scores at the standard profile's θ*" (a sample, edge cases included). */
const PER_FILE_STANDARD: Record<string, Record<string, number>> = {
  numenta: {
    'artificialNoAnomaly/art_daily_no_noise.csv': -0.22,
    'artificialWithAnomaly/art_daily_flatmiddle.csv': 0.4999963147226144,
    'realKnownCause/nyc_taxi.csv': 2.4357277324658533,
    'realTweets/Twitter_volume_PFE.csv': 3.0217764355881336,
  },
  windowedGaussian: {
    'realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv': -4.190896785522053,
    'realKnownCause/ec2_request_latency_system_failure.csv': 2.0215068567753214,
  },
  randomCutForest: {
    'realAWSCloudwatch/ec2_cpu_utilization_c6585a.csv': -1.4300000000000004,
    'realTweets/Twitter_volume_IBM.csv': -5.342948873585332,
    'realKnownCause/ambient_temperature_system_failure.csv': 1.762168569941799,
  },
  null: { 'realKnownCause/nyc_taxi.csv': -5.0 },
};

const STANDARD: CostProfile = { truePositiveWeight: 1, falsePositiveWeight: 0.11, falseNegativeWeight: 1 };

describe('NAB scorer, constructed cases', () => {
  it('has the scaled sigmoid of SCORING.md §4', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3.5)).toBe(-1);
  });

  it('computes the probationary period as NAB does', () => {
    expect(probationaryPeriod(4032)).toBe(604);
    expect(probationaryPeriod(15902)).toBe(750);
  });

  it('rewards the earliest detection in a window once and charges every false-positive row', () => {
    // 20 rows, probation 2, one window on rows 10..13.
    const windows = [{ firstRow: 10, lastRow: 13, id: 'file|w' }];
    const scores = new Array<number>(20).fill(0);
    scores[11] = 0.9; // second row of the window
    scores[12] = 0.9;
    scores[5] = 0.7; // a false positive before any window: -A_FP
    scores[1] = 1; // probationary: ignored
    const rows = sweepScores(scores, windows, STANDARD, 2);
    expect(rows[1]?.label).toBe(PROBATIONARY);
    expect(rows[10]?.weight).toBeCloseTo(1, 12);
    const curve = scoreByThreshold(rows, STANDARD);
    expect(curve[0]).toEqual({ threshold: 1.1, score: -1 });
    const windowScore = rows[11]?.weight as number;
    expect(scoreAtThreshold(curve, 0.9)).toBeCloseTo(windowScore, 12);
    expect(scoreAtThreshold(curve, 0.8)).toBeCloseTo(windowScore, 12);
    expect(scoreAtThreshold(curve, 0.7)).toBeCloseTo(windowScore - 0.11, 12);
    // Below every score of the file: every row detected (the last entry).
    expect(scoreAtThreshold(curve, -1)).toBeCloseTo(curve[curve.length - 1]?.score as number, 12);
  });

  it('weighs rows after a window by their distance from it', () => {
    const windows = [{ firstRow: 4, lastRow: 7, id: 'file|w' }];
    const rows = sweepScores(new Array<number>(30).fill(0), windows, STANDARD, 0);
    expect(rows[8]?.weight).toBeLessThan(0);
    expect(rows[8]?.weight).toBeGreaterThan(-0.11);
    expect(rows[29]?.weight).toBe(-0.11);
  });

  it('normalises so that null scores 0 and perfect 100', () => {
    expect(normalizeScore(-57, 57, STANDARD)).toBe(0);
    expect(normalizeScore(57, 57, STANDARD)).toBe(100);
  });
});

describe('NAB scorer on the corpus in the repository', () => {
  const corpus = loadNabCorpus(FIXTURE_PATH);
  const written = mkdtempSync(join(tmpdir(), 'aiops-nab-golden-'));
  afterAll(() => rmSync(written, { recursive: true, force: true }));

  /** Scores a detector written out in the golden layout and read back, as the benchmark reads NAB's. */
  const scoreOf = (detector: string, scoresOf: (file: NabCorpus['files'][number]) => number[], profile: ProfileName): CorpusScore => {
    for (const file of corpus.files) writeDetectorOutput(join(written, 'nab', 'golden'), detector, file, scoresOf(file));
    const files = corpus.files.map((file) => ({ ...file, anomalyScores: readGoldenScores(written, detector, file) }));
    return scoreCorpus(files, corpus.profiles[profile]);
  };
  const perfect = (file: NabCorpus['files'][number]) => file.timestamps.map((_, row) => (file.windows.some((window) => window.firstRow === row) ? 1 : 0));

  it('reads its files, windows, probation and profiles', () => {
    expect(corpus.files.map((file) => file.name)).toEqual(['quiet/flat.csv', 'synthetic/level-shift.csv', 'synthetic/spike.csv']);
    expect(corpus.files.map((file) => file.windows.map((window) => [window.firstRow, window.lastRow]))).toEqual([[], [[50, 59]], [[80, 89]]]);
    expect(corpus.files.map((file) => file.probationRows)).toEqual([9, 15, 18]);
    expect(corpus.profiles.standard).toEqual(STANDARD);
  });

  for (const profile of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const) {
    it(`scores a detector firing at each window's start 100 and one never firing 0 (${profile})`, () => {
      expect(scoreOf('perfect', perfect, profile).normalizedScore).toBeCloseTo(100, 6);
      expect(scoreOf('null', (file) => file.timestamps.map(() => 0), profile).normalizedScore).toBeCloseTo(0, 6);
    });
  }

  it('charges a false positive far from any window its weight, and ignores one in the probationary period', () => {
    const clean = scoreOf('perfect', perfect, 'standard');
    const withFalsePositive = scoreOf('late-alarm', (file) => perfect(file).map((score, row) => (file.name === 'quiet/flat.csv' && row === 40 ? 1 : score)), 'standard');
    expect(withFalsePositive.rawScore).toBeCloseTo(clean.rawScore - STANDARD.falsePositiveWeight, 6);
    const inProbation = scoreOf('early-alarm', (file) => perfect(file).map((score, row) => (file.name === 'quiet/flat.csv' && row === 3 ? 1 : score)), 'standard');
    expect(inProbation.rawScore).toBeCloseTo(clean.rawScore, 12);
  });
});

describe.skipIf(skipWithout('datasets', "NAB scorer against NAB's DEV_SCORES.md"))('NAB scorer against DEV_SCORES.md', () => {
  let loaded: NabCorpus | undefined;
  const corpusOf = (): NabCorpus => (loaded ??= loadNabCorpus(DATASETS_PATH));
  const results = new Map<string, CorpusScore>();
  const scored = (detector: string, profile: ProfileName): CorpusScore => {
    const key = `${detector}/${profile}`;
    let result = results.get(key);
    if (!result) {
      const files = corpusOf().files.map((file) => ({ ...file, anomalyScores: readGoldenScores(DATASETS_PATH, detector, file) }));
      result = scoreCorpus(files, corpusOf().profiles[profile]);
      results.set(key, result);
    }
    return result;
  };

  it('reads the 31 files and 57 windows of the development subset', () => {
    const corpus = corpusOf();
    expect(corpus.files).toHaveLength(31);
    expect(corpus.files.reduce((sum, file) => sum + file.windows.length, 0)).toBe(57);
    expect(corpus.profiles.reward_low_FN_rate).toEqual({ truePositiveWeight: 1, falsePositiveWeight: 0.11, falseNegativeWeight: 2 });
  });

  for (const detector of GOLDEN_DETECTORS) {
    for (const profile of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const) {
      it(`reproduces ${detector} / ${profile}`, () => {
        const [threshold, rawScore, normalizedScore] = DEV_SCORES[detector]?.[profile] as [number, number, number];
        const result = scored(detector, profile);
        expect(Math.abs(result.threshold - threshold)).toBeLessThan(1e-6);
        expect(Math.abs(result.rawScore - rawScore)).toBeLessThan(1e-6);
        expect(Math.abs(result.normalizedScore - normalizedScore)).toBeLessThan(1e-6);
      });
    }

    it(`reproduces per-file standard scores of ${detector}`, () => {
      const result = scored(detector, 'standard');
      for (const [name, expected] of Object.entries(PER_FILE_STANDARD[detector] ?? {})) {
        const file = result.fileScores.find((entry) => entry.name === name);
        expect(Math.abs((file?.rawScore ?? Number.NaN) - expected), name).toBeLessThan(1e-6);
      }
    });
  }
});

describe('crossValidatedScore', () => {
  const profile: CostProfile = { truePositiveWeight: 1, falsePositiveWeight: 0.11, falseNegativeWeight: 1 };
  /** 100 rows, one window over rows 60–69, a detection score of `inside` there and `outside` elsewhere. */
  const file = (name: string, inside: number, outside: number) => ({
    name,
    anomalyScores: Array.from({ length: 100 }, (_, row) => (row >= 60 && row < 70 ? inside : outside)),
    windows: [{ id: `${name}|60`, firstRow: 60, lastRow: 69 }],
    probationRows: 10,
  });

  it('scores each category at the threshold the others chose, never at its own best', () => {
    // a alone would pick 0.7 (its window scores 0.7, its background 0.6); b alone picks 0.95 (its background is 0.8).
    const a = file('a/one.csv', 0.7, 0.6);
    const b = file('b/two.csv', 0.95, 0.8);
    const development = scoreCorpus([a, b], profile);
    const crossValidated = crossValidatedScore([a, b], profile);
    // Together they choose 0.95 (a's window missed, b's found); held out, b is scored at a's 0.7 and fires on its whole background.
    expect(development.threshold).toBe(0.95);
    expect(crossValidated.rawScore).toBeLessThan(development.rawScore - 5);
    // With a third category like b, the folds agree with development.
    const c = file('c/three.csv', 0.95, 0.8);
    expect(crossValidatedScore([a, b, c], profile).rawScore).toBeCloseTo(scoreCorpus([a, b, c], profile).rawScore);
  });
});
