import { describe, expect, it } from 'vitest';
import { RangeNoveltyView } from '../../../src/detection/detectors/range-novelty-view.js';

describe('RangeNoveltyView', () => {
  const trained = () => {
    const view = new RangeNoveltyView({ tolerance: 0.05, minimumSurprise: 4.5 });
    for (const value of [10, 20, 15, 12, 18]) view.update(value, 10);
    return view;
  };

  it('is silent inside the range and within the tolerance', () => {
    const view = trained();
    expect(view.width).toBe(10);
    expect(view.update(19, 10)).toBe(0);
    expect(view.update(20.4, 10)).toBe(0);
  });

  it('scores a surprising new extreme above 0.6, higher the further it goes, on either side', () => {
    const near = trained().update(21, 10);
    const far = trained().update(40, 10);
    expect(near).toBeGreaterThanOrEqual(0.6);
    expect(far).toBeGreaterThan(near);
    expect(far).toBeLessThanOrEqual(1);
    expect(trained().update(5, 10)).toBeGreaterThanOrEqual(0.6);
  });

  it('ignores a new extreme the forecaster saw coming, and widens its range either way', () => {
    const view = trained();
    expect(view.update(25, 2)).toBe(0);
    expect(view.width).toBe(15);
    expect(view.update(25.5, 10)).toBe(0);
  });
});
