import { describe, expect, it } from 'vitest';
import { AnomalyLikelihood } from '../../../src/detection/detectors/anomaly-likelihood.js';
import { seededGaussian } from '../synthetic-series.js';

const SETTINGS = { shortWindow: 10, longWindow: 3000, warmupRows: 100, surpriseCap: 10 };

describe('AnomalyLikelihood', () => {
  it('scores 0 while it warms up', () => {
    const likelihood = new AnomalyLikelihood(SETTINGS);
    for (let row = 0; row <= 100; row += 1) expect(likelihood.update(row % 2 === 0 ? 0 : 50)).toBe(0);
  });

  it('stays low on the surprises it is used to and climbs to 1 when they stay high', () => {
    const gaussian = seededGaussian(4);
    const likelihood = new AnomalyLikelihood(SETTINGS);
    const usual: number[] = [];
    for (let row = 0; row < 2000; row += 1) usual.push(likelihood.update(Math.abs(gaussian())));
    expect(Math.max(...usual.slice(200))).toBeLessThan(0.47);
    const sustained: number[] = [];
    for (let row = 0; row < 10; row += 1) sustained.push(likelihood.update(8));
    expect(sustained[0]).toBeGreaterThan(usual[1999] as number);
    expect(sustained[9]).toBe(1);
  });

  it('restores from its snapshot mid-window', () => {
    const likelihood = new AnomalyLikelihood(SETTINGS);
    for (let row = 0; row < 205; row += 1) likelihood.update((row * 7) % 3);
    const copy = new AnomalyLikelihood(SETTINGS, JSON.parse(JSON.stringify(likelihood.snapshot())));
    for (const surprise of [0.5, 9, 9, 2]) expect(copy.update(surprise)).toBe(likelihood.update(surprise));
  });
});
