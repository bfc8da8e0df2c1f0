import { describe, expect, it } from 'vitest';
import { median, quantile, robustBaseline, robustZ } from '../../src/rca/robust-z.js';

describe('robust z-score', () => {
  it('takes the median and 1.4826 × MAD, untouched by one outlier', () => {
    const baseline = robustBaseline([1, 2, 3, 4, 1000], { relative: 0, absolute: 1e-9 });
    expect(baseline.median).toBe(3);
    expect(baseline.scale).toBeCloseTo(1.4826, 4);
    expect(robustZ(3 + 2 * 1.4826, baseline)).toBeCloseTo(2, 6);
  });

  it('floors the scale so a flat period gives finite z-scores', () => {
    expect(robustBaseline([200, 200, 200], { relative: 0.01, absolute: 1e-6 }).scale).toBe(2);
    const zero = robustBaseline([0, 0, 0], { relative: 0.01, absolute: 1e-6 });
    expect(zero.scale).toBe(1e-6);
    expect(Number.isFinite(robustZ(1, zero))).toBe(true);
  });

  it('skips missing values and reports NaN when nothing is left', () => {
    expect(robustBaseline([Number.NaN, 5, Number.NaN, 7, 6], { relative: 0, absolute: 1e-6 }).median).toBe(6);
    expect(robustBaseline([Number.NaN], { relative: 0, absolute: 1e-6 }).median).toBeNaN();
    expect(median([])).toBeNaN();
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
