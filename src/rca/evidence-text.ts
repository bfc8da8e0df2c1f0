/** How evidence lines write values, deviations and times: short, and the same in every line. */
import { formatNumber } from '../format-number.js';
import { formatQuantity, type QuantityUnit } from '../format-quantity.js';

/**
 * Robust z-scores are shown up to here. Beyond it the number says nothing a reader can use (a
 * series that sat flat at 0.1% errors gives a z in the thousands when it jumps to 30%), so the line
 * says "far above normal" and the values beside it tell how far.
 */
export const LARGEST_Z_SHOWN = 10;

/** A metric's value in its unit when the series has one ("26.4%", "612 MiB"), a plain number when it does not (offline cases). */
export function formatMetricValue(value: number, unit: QuantityUnit | undefined): string {
  return unit === undefined ? formatNumber(value) : formatQuantity(value, unit);
}

/**
 * How far a value lies from normal, for people: "robust z 6.1" while the number means something,
 * "far above normal" (or below, or "far from normal" when the direction is not known) beyond
 * LARGEST_Z_SHOWN.
 */
export function describeDeviation(zScore: number, direction?: 'above' | 'below'): string {
  if (Number.isFinite(zScore) && zScore <= LARGEST_Z_SHOWN) return `robust z ${formatNumber(zScore)}`;
  return direction === undefined ? 'far from normal' : `far ${direction} normal`;
}

/** 14:02:10 UTC: incidents are read in minutes, and UTC avoids guessing the reader's zone. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}
