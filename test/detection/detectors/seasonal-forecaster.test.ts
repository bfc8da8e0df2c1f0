import { describe, expect, it } from 'vitest';
import { SeasonalForecaster, type SeasonalForecasterSettings } from '../../../src/detection/detectors/seasonal-forecaster.js';
import { FIVE_MINUTES, ROWS_PER_DAY, START } from '../synthetic-series.js';

const DAILY: SeasonalForecasterSettings = {
  periodMs: 86_400_000,
  bins: 288,
  levelSmoothing: 0.05,
  seasonalSmoothing: 0.1,
  errorSmoothing: 0.003,
  errorClip: 6,
  selectionSmoothing: 0.003,
};

/** Office hours: 80 from 09:00 to 18:00, 20 otherwise, plus a small deterministic wobble. */
const officeHours = (row: number) => {
  const hour = ((row % ROWS_PER_DAY) * 5) / 60;
  return (hour >= 9 && hour < 18 ? 80 : 20) + Math.sin(row * 1.7);
};

describe('SeasonalForecaster', () => {
  it('forecasts a daily rhythm from the second period on, where a level alone cannot', () => {
    const seasonal = new SeasonalForecaster(DAILY);
    const level = new SeasonalForecaster({ ...DAILY, periodMs: 0 });
    const surprises: number[] = [];
    for (let row = 0; row < 7 * ROWS_PER_DAY; row += 1) {
      surprises.push(Math.abs(seasonal.update(START + row * FIVE_MINUTES, officeHours(row), 1e-9)));
      level.update(START + row * FIVE_MINUTES, officeHours(row), 1e-9);
    }
    // The 09:00 jump of day 2 is already expected.
    expect(surprises[ROWS_PER_DAY + 108]).toBeLessThan(4);
    expect(seasonal.selectionError).toBeLessThan(level.selectionError / 5);
  });

  it('re-anchors its level so that the next forecast matches after a gap', () => {
    const forecaster = new SeasonalForecaster(DAILY);
    for (let row = 0; row < 2 * ROWS_PER_DAY; row += 1) forecaster.update(START + row * FIVE_MINUTES, officeHours(row) + 50, 1e-9);
    const later = START + 3 * ROWS_PER_DAY * FIVE_MINUTES;
    forecaster.reanchor(later, 20);
    expect(Math.abs(forecaster.update(later, 20, 1e-9))).toBeLessThan(1e-9);
  });

  it('never divides by a zero scale', () => {
    const forecaster = new SeasonalForecaster({ ...DAILY, periodMs: 0 });
    for (let row = 0; row < 100; row += 1) expect(forecaster.update(START + row * FIVE_MINUTES, 5, 1e-9)).toBe(0);
    expect(forecaster.update(START + 100 * FIVE_MINUTES, 6, 1e-9)).toBeCloseTo(1e9, -3);
  });

  it('restores from its snapshot', () => {
    const forecaster = new SeasonalForecaster(DAILY);
    for (let row = 0; row < 500; row += 1) forecaster.update(START + row * FIVE_MINUTES, officeHours(row), 1e-9);
    const copy = new SeasonalForecaster(DAILY, JSON.parse(JSON.stringify(forecaster.snapshot())));
    expect(copy.update(START + 500 * FIVE_MINUTES, 33, 1e-9)).toBe(forecaster.update(START + 500 * FIVE_MINUTES, 33, 1e-9));
    expect(() => new SeasonalForecaster({ ...DAILY, bins: 96 }, forecaster.snapshot())).toThrow(/expected 96 seasonal bins/);
  });
});
