import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import type { MetricSeries, RootCauseInput } from '../rca/root-cause-input.js';

/**
 * Reads one RCA case folder (`../shared/datasets/rca/README.md`): metrics.csv and case.json.
 * truth.json is never read here: it is the scorer's, not the method's. Every problem names the file
 * and what was wrong, in one line.
 */
export async function readRcaCase(directory: string): Promise<RootCauseInput> {
  const metricsPath = join(directory, 'metrics.csv');
  const casePath = join(directory, 'case.json');
  const metricsText = await readFile(metricsPath, 'utf8').catch(() => undefined);
  if (metricsText === undefined) throw inputError(metricsPath, 'cannot be read; a case folder holds metrics.csv and case.json');
  const caseText = await readFile(casePath, 'utf8').catch(() => undefined);
  if (caseText === undefined) throw inputError(casePath, 'cannot be read; a case folder holds metrics.csv and case.json');
  const description = parseCaseJson(caseText, casePath);
  return { series: parseMetricsCsv(metricsText, metricsPath), ...description };
}

type CaseDescription = Omit<RootCauseInput, 'series'>;

/** case.json: anomaly_start and anomaly_end in epoch seconds, optional graph and target. */
export function parseCaseJson(text: string, origin: string): CaseDescription {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError(origin, 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw inputError(origin, 'expected a JSON object with anomaly_start');
  const fields = parsed as Record<string, unknown>;
  const anomalyStart = epochSeconds(fields.anomaly_start, 'anomaly_start', origin, true)!;
  const anomalyEnd = epochSeconds(fields.anomaly_end, 'anomaly_end', origin, false);
  if (anomalyEnd !== undefined && anomalyEnd < anomalyStart) throw inputError(origin, 'anomaly_end is before anomaly_start');
  const description: CaseDescription = { anomalyStart, normalAfterEnd: true };
  if (anomalyEnd !== undefined) description.anomalyEnd = anomalyEnd;
  if (fields.graph !== undefined) description.graph = parseGraph(fields.graph, origin);
  if (fields.target !== undefined) description.symptom = parseTarget(fields.target, origin);
  return description;
}

function epochSeconds(value: unknown, field: string, origin: string, required: boolean): number | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw inputError(origin, `${field}: expected epoch seconds (a number), got ${JSON.stringify(value) ?? 'nothing'}`);
  return value * 1000;
}

function parseGraph(value: unknown, origin: string): Array<[string, string]> {
  const isEdge = (edge: unknown): edge is [string, string] => Array.isArray(edge) && edge.length === 2 && edge.every((name) => typeof name === 'string');
  if (!Array.isArray(value) || !value.every(isEdge)) throw inputError(origin, 'graph: expected [["caller","callee"], ...]');
  return value.map(([caller, callee]) => [caller, callee]);
}

function parseTarget(value: unknown, origin: string): { service: string; metric?: string } {
  const target = value as Record<string, unknown> | null;
  if (typeof target !== 'object' || target === null || typeof target.service !== 'string') throw inputError(origin, 'target: expected {"service": "...", "metric": "..."}');
  return typeof target.metric === 'string' ? { service: target.service, metric: target.metric } : { service: target.service };
}

/**
 * metrics.csv: `time,<service>_<metric>,...`, time in integer epoch seconds, ascending; an empty
 * cell is a missing value. The service is the text before the first underscore.
 */
export function parseMetricsCsv(text: string, origin: string): MetricSeries[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  const columns = header.split(',').map((column) => column.trim());
  if (columns[0] !== 'time' || columns.length < 2) throw inputError(`${origin}:1`, `expected the header "time,<service>_<metric>,...", got "${header.slice(0, 80)}"`);
  const series = columns.slice(1).map((column): MetricSeries => {
    const separator = column.indexOf('_');
    if (separator <= 0 || separator === column.length - 1) throw inputError(`${origin}:1`, `column "${column}" is not <service>_<metric>`);
    return { service: column.slice(0, separator), metric: column.slice(separator + 1), timestamps: [], values: [] };
  });
  let previous = Number.NEGATIVE_INFINITY;
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    const where = `${origin}:${index + 1}`;
    const cells = line.split(',');
    const timeText = cells[0]!.trim();
    if (!/^-?\d+$/.test(timeText)) throw inputError(where, `time: expected integer epoch seconds, got "${timeText.slice(0, 40)}"`);
    const time = Number(timeText) * 1000;
    if (time <= previous) throw inputError(where, `time ${timeText} is not after the row before; expected rows in ascending time`);
    previous = time;
    series.forEach((column, position) => {
      const cell = (cells[position + 1] ?? '').trim();
      const value = cell === '' ? Number.NaN : Number(cell);
      if (cell !== '' && Number.isNaN(value)) throw inputError(where, `${columns[position + 1]}: expected a number, got "${cell.slice(0, 40)}"`);
      column.timestamps.push(time);
      column.values.push(value);
    });
  }
  if (series[0]!.timestamps.length === 0) throw inputError(origin, 'has no rows');
  return series;
}
