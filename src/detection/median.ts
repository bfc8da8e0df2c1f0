/** The median of the finite values, the mean of the middle two for an even count; undefined when there are none. */
export function median(values: readonly number[]): number | undefined {
  const finite = values.filter(Number.isFinite).sort((left, right) => left - right);
  if (finite.length === 0) return undefined;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}
