import type { MetricSeries } from '../../src/rca/root-cause-input.js';

/** When the incident starts in the ranking tests; samples are a minute apart around it. */
export const START = Date.parse('2026-12-05T10:00:00Z');
const STEP = 60_000;

/** Deterministic noise in [-1, 1]. */
const noise = (index: number, seed: number): number => Math.sin(index * 12.9898 + seed * 78.233) * 0.5 + Math.sin(index * 3.7 + seed) * 0.5;

/**
 * Series of `normalSamples` before START and `anomalousSamples` from it: `level` ± `spread`, then
 * `during(sample index in the anomaly)` added on. Each series' noise is seeded from its names.
 */
export function syntheticSeries(normalSamples: number, anomalousSamples: number, seedOf: (service: string, metric: string) => number) {
  const timestamps = Array.from({ length: normalSamples + anomalousSamples }, (_, index) => START + (index - normalSamples) * STEP);
  const series = (service: string, metric: string, level: number, spread: number, during: (index: number) => number = () => 0): MetricSeries => {
    const seed = seedOf(service, metric);
    const values = timestamps.map((_, index) => level + spread * noise(index, seed) + (index >= normalSamples ? during(index - normalSamples) : 0));
    return { service, metric, timestamps: [...timestamps], values };
  };
  return { timestamps, series };
}
