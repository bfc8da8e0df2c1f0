import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';

/** One row of a `timestamp,value` file, with its text kept so output can repeat it verbatim. */
export interface SeriesRow {
  timestampText: string;
  valueText: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** NaN when the value is empty: a missing point, which detectors skip. */
  value: number;
}

const NAB_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/**
 * Parses a CSV with a `timestamp,value` header (NAB's layout). Timestamps may be
 * `YYYY-MM-DD HH:MM:SS` (read as UTC, as NAB's scorer compares them as text), ISO 8601 with a
 * zone, or Unix seconds. Any problem names the file, the line and what was expected. Rows are kept
 * in file order even where time goes back (a clock change; one of NAB's real files has one): see
 * timeGoingBack for the warning, and monotoneTimestamps for what a detector is fed.
 */
export function parseSeriesCsv(text: string, origin: string): SeriesRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  const columns = header.split(',').map((column) => column.trim().toLowerCase());
  if (columns[0] !== 'timestamp' || columns[1] !== 'value') {
    throw inputError(`${origin}:1`, `expected the header "timestamp,value", got "${header.slice(0, 80)}"`);
  }
  const rows: SeriesRow[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    const where = `${origin}:${index + 1}`;
    const cells = line.split(',');
    if (cells.length < 2) throw inputError(where, `expected two columns "timestamp,value", got "${line.slice(0, 80)}"`);
    const timestampText = cells[0]!.trim();
    const valueText = cells[1]!.trim();
    const timestamp = parseTimestamp(timestampText);
    if (Number.isNaN(timestamp)) throw inputError(where, `expected a timestamp such as 2014-04-01 00:00:00, got "${timestampText}"`);
    const value = valueText === '' ? Number.NaN : Number(valueText);
    if (valueText !== '' && !Number.isFinite(value)) throw inputError(where, `expected a number in column value, got "${valueText}"`);
    rows.push({ timestampText, valueText, timestamp, value });
  }
  return rows;
}

function parseTimestamp(text: string): number {
  const nab = NAB_TIME.exec(text);
  if (nab) {
    const [, year, month, day, hour, minute, second, fraction] = nab;
    const base = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0));
    return base + (fraction ? Math.round(Number(fraction) * 1000) : 0);
  }
  if (/^\d{9,11}(\.\d+)?$/.test(text)) return Number(text) * 1000;
  return /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
}

/** Every .csv file under a directory, sorted: what `detect` and `forecast` walk. */
export async function csvFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.csv'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The first row whose time is earlier than the row before (its 0-based index), or undefined. */
export function timeGoingBack(rows: readonly SeriesRow[]): number | undefined {
  for (let index = 1; index < rows.length; index += 1) if (rows[index]!.timestamp < rows[index - 1]!.timestamp) return index;
  return undefined;
}

/**
 * The timestamps a streaming detector is fed: never earlier than the latest seen, so a clock that
 * goes back holds the detector's clock still (those rows count as arriving at once) instead of
 * reading the repeated hour as a jump back in its daily and weekly seasons.
 */
export function monotoneTimestamps(rows: readonly SeriesRow[]): number[] {
  let latest = Number.NEGATIVE_INFINITY;
  return rows.map((row) => (latest = Math.max(latest, row.timestamp)));
}
