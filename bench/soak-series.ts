/** A sampled measure: [real ms since the start, value] in time order. */
export interface Series {
  name: string;
  unit: string;
  points: Array<[number, number]>;
}

export interface Growth {
  first: number;
  atHalf: number;
  last: number;
  maximum: number;
  /** Least-squares slope through the second half's samples, per hour. */
  slopePerHour: number;
  /** That line's rise over the second half, as a share of its value at the half, in percent. */
  growthPercent: number;
}

/**
 * How a measure grew over the second half of a run: the least-squares line through the samples
 * taken from `half` on. A leak shows as a steady slope; garbage collection's saw-tooth averages out.
 */
export function growth(points: Array<[number, number]>, half: number): Growth {
  const finite = points.filter(([, value]) => Number.isFinite(value));
  const second = finite.filter(([at]) => at >= half);
  const values = finite.map(([, value]) => value);
  const first = values[0] ?? Number.NaN;
  const last = values.at(-1) ?? Number.NaN;
  const maximum = values.length > 0 ? Math.max(...values) : Number.NaN;
  if (second.length < 2) return { first, atHalf: second[0]?.[1] ?? Number.NaN, last, maximum, slopePerHour: Number.NaN, growthPercent: Number.NaN };
  const meanTime = second.reduce((sum, [at]) => sum + at, 0) / second.length;
  const meanValue = second.reduce((sum, [, value]) => sum + value, 0) / second.length;
  const covariance = second.reduce((sum, [at, value]) => sum + (at - meanTime) * (value - meanValue), 0);
  const variance = second.reduce((sum, [at]) => sum + (at - meanTime) ** 2, 0);
  const slope = variance > 0 ? covariance / variance : 0;
  const start = second[0]![0];
  const end = second.at(-1)![0];
  const fittedAtStart = meanValue + slope * (start - meanTime);
  return {
    first,
    atHalf: second[0]![1],
    last,
    maximum,
    slopePerHour: slope * 3_600_000,
    growthPercent: fittedAtStart > 0 ? ((slope * (end - start)) / fittedAtStart) * 100 : Number.NaN,
  };
}
