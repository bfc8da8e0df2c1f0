/**
 * How answers, evidence lines and tool outputs write a bare number: three significant digits,
 * whole numbers from 1,000 up, and an exponent only for magnitudes nobody reads as plain
 * digits: "0.0812", "12.3", "4520", "1.20e-5". Quantities with a unit go through formatQuantity.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 && magnitude < 1e12) return String(Math.round(value));
  if (magnitude < 1e-4 || magnitude >= 1e12) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}
