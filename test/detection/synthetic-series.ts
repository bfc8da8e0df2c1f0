/** Constructed series for the detector tests: seeded noise, an optional daily rhythm, 5-minute steps. */

export const FIVE_MINUTES = 300_000;
export const ROWS_PER_DAY = 288;
/** 2024-01-01T00:00:00Z, a Monday. */
export const START = Date.UTC(2024, 0, 1);

/** mulberry32 with Box-Muller: a few lines, the same numbers on every machine. */
export function seededGaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
}

export interface Series {
  timestamps: number[];
  values: number[];
}

/** `rows` points: level 100, noise of standard deviation `noise`, a daily sine of `amplitude`. */
export function syntheticSeries(rows: number, { noise = 1, amplitude = 0, seed = 1 }: { noise?: number; amplitude?: number; seed?: number } = {}): Series {
  const gaussian = seededGaussian(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let row = 0; row < rows; row += 1) {
    const timestamp = START + row * FIVE_MINUTES;
    timestamps.push(timestamp);
    values.push(100 + amplitude * Math.sin((2 * Math.PI * row) / ROWS_PER_DAY) + noise * gaussian());
  }
  return { timestamps, values };
}

/** Feeds a series to a detector, returning one score per row. */
export function scoreSeries(detector: { update(timestamp: number, value: number): number }, series: Series): number[] {
  return series.values.map((value, row) => detector.update(series.timestamps[row] as number, value));
}

/** Row indices in [from, to) whose score is at least `threshold`. */
export function alertsBetween(scores: readonly number[], threshold: number, from = 0, to = scores.length): number[] {
  const rows: number[] = [];
  for (let row = from; row < to; row += 1) if ((scores[row] as number) >= threshold) rows.push(row);
  return rows;
}
