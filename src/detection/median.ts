/** The median of the finite values, the mean of the middle two for an even count; undefined when there are none. */
export function median(values: readonly number[]): number | undefined {
  // A typed array sorts numbers without a comparator call per comparison: several times faster on
  // the short windows detection takes medians of (an hour before each sample it scores).
  const finite = new Float64Array(values.length);
  let count = 0;
  for (const value of values) if (Number.isFinite(value)) finite[count++] = value;
  if (count === 0) return undefined;
  const sorted = finite.subarray(0, count).sort();
  const middle = Math.floor(count / 2);
  return count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
