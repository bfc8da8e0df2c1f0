/**
 * Reads the NAB development subset in the layout `../shared/datasets/nab/` describes: series in
 * `data/`, windows in `labels/combined_windows.json`, cost matrices in `config/profiles.json`,
 * NAB's published detector outputs in `golden/`. The folder is shared and read-only: this module
 * only reads it; our own outputs go wherever the caller says.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CostProfile, type WindowRows, probationaryPeriod, windowRows } from './nab-scorer.js';

export const PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The detectors whose per-record outputs NAB published and `golden/` holds. */
export const GOLDEN_DETECTORS = ['numenta', 'windowedGaussian', 'randomCutForest', 'null'] as const;

export interface NabFile {
  /** `<category>/<file>.csv`, the key of `combined_windows.json`. */
  name: string;
  /** The timestamps as written in the file, for outputs in the same layout. */
  timestampTexts: string[];
  /** Milliseconds, reading NAB's local times as UTC (only differences and equality matter). */
  timestamps: number[];
  values: number[];
  windows: WindowRows[];
  /** NAB's probationary period for this file (rows), which NAB also tells every detector. */
  probationRows: number;
}

export interface NabCorpus {
  datasetsPath: string;
  files: NabFile[];
  profiles: Record<ProfileName, CostProfile>;
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared/datasets` next to the repository. */
export function defaultDatasetsPath(): string {
  return resolve(repositoryRoot, '..', 'shared', 'datasets');
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` to milliseconds. */
export function parseNabTimestamp(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a NAB timestamp: ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second, fraction] = match;
  const milliseconds = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) + milliseconds;
}

/** Header-indexed columns of a small CSV without quoting (NAB's files have none). */
export function readCsvColumns(path: string): Map<string, string[]> {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').trim().split(',');
  const columns = new Map<string, string[]>(header.map((name) => [name, []]));
  for (const line of lines.slice(1)) {
    const cells = line.trim().split(',');
    header.forEach((name, index) => columns.get(name)?.push(cells[index] ?? ''));
  }
  return columns;
}

function column(columns: Map<string, string[]>, name: string, path: string): string[] {
  const values = columns.get(name);
  if (!values) throw new Error(`${path}: no column ${name}`);
  return values;
}

export function readProfiles(datasetsPath: string): Record<ProfileName, CostProfile> {
  const path = join(datasetsPath, 'nab', 'config', 'profiles.json');
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { CostMatrix: { tpWeight: number; fpWeight: number; fnWeight: number } }>;
  const profile = (name: ProfileName): CostProfile => {
    const matrix = parsed[name]?.CostMatrix;
    if (!matrix) throw new Error(`${path}: no profile ${name}`);
    return { truePositiveWeight: matrix.tpWeight, falsePositiveWeight: matrix.fpWeight, falseNegativeWeight: matrix.fnWeight };
  };
  return { standard: profile('standard'), reward_low_FP_rate: profile('reward_low_FP_rate'), reward_low_FN_rate: profile('reward_low_FN_rate') };
}

/** Every series of `data/` (sorted by name) with its windows. */
export function loadNabCorpus(datasetsPath: string = defaultDatasetsPath()): NabCorpus {
  const nabPath = join(datasetsPath, 'nab');
  const labels = JSON.parse(readFileSync(join(nabPath, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const names: string[] = [];
  for (const category of readdirSync(join(nabPath, 'data')).sort()) {
    for (const file of readdirSync(join(nabPath, 'data', category)).sort()) if (file.endsWith('.csv')) names.push(`${category}/${file}`);
  }
  const files = names.map((name): NabFile => {
    const path = join(nabPath, 'data', name);
    const columns = readCsvColumns(path);
    const timestampTexts = column(columns, 'timestamp', path);
    const timestamps = timestampTexts.map(parseNabTimestamp);
    const values = column(columns, 'value', path).map(Number);
    const windows = (labels[name] ?? []).map(([start, end]) => [parseNabTimestamp(start), parseNabTimestamp(end)] as const);
    return { name, timestampTexts, timestamps, values, windows: windowRows(name, timestamps, windows), probationRows: probationaryPeriod(timestamps.length) };
  });
  return { datasetsPath, files, profiles: readProfiles(datasetsPath) };
}

/** `golden/<detector>/<category>/<detector>_<file>.csv` for a file named `<category>/<file>`. */
export function resultPath(root: string, detector: string, fileName: string): string {
  const [category, file] = fileName.split('/') as [string, string];
  return join(root, detector, category, `${detector}_${file}`);
}

/** NAB's published anomaly scores of one golden detector for one file. */
export function readGoldenScores(datasetsPath: string, detector: string, file: NabFile): number[] {
  const path = resultPath(join(datasetsPath, 'nab', 'golden'), detector, file.name);
  const scores = column(readCsvColumns(path), 'anomaly_score', path).map(Number);
  if (scores.length !== file.timestamps.length) throw new Error(`${path}: ${scores.length} rows, the data file has ${file.timestamps.length}`);
  return scores;
}

/** Writes one file's outputs in the golden layout: `timestamp,value,anomaly_score,label`. */
export function writeDetectorOutput(root: string, detector: string, file: NabFile, anomalyScores: readonly number[]): string {
  const path = resultPath(root, detector, file.name);
  mkdirSync(dirname(path), { recursive: true });
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let row = 0; row < file.timestamps.length; row += 1) {
    const inWindow = file.windows.some((window) => window.firstRow <= row && row <= window.lastRow);
    lines.push(`${file.timestampTexts[row]},${file.values[row]},${anomalyScores[row]},${inWindow ? 1 : 0}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
