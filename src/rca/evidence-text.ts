/** How evidence lines write numbers and times: short, and the same in every line. */

/** Three significant digits, without exponents for everyday magnitudes: 0.921, 1490, 12.5. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** 14:02:10 UTC: incidents are read in minutes, and UTC avoids guessing the reader's zone. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}
