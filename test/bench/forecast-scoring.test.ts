import { describe, expect, it } from 'vitest';
import { linearPrediction, scoreSeries, seasonalNaivePrediction } from '../../bench/forecast-scoring.js';

const DAY = 24;
const values = Array.from({ length: 10 * DAY }, (_, index) => 10 + 5 * Math.sin((2 * Math.PI * index) / DAY) + (index % 7));

describe('forecast backtest scoring', () => {
  it('scores the seasonal naive forecast against itself as relMAE 1', () => {
    const predictions = [7 * DAY - 1, 8 * DAY - 1].map((origin) => seasonalNaivePrediction(values, origin, DAY, DAY));
    const score = scoreSeries(values, predictions, { stepsPerDay: DAY });
    expect(score.relativeMeanAbsoluteError).toBe(1);
    expect(score.points).toBe(2 * DAY);
  });

  it('scores a perfect forecast 0 with full coverage, and leaves masked rows out', () => {
    const origin = 7 * DAY - 1;
    const perfect = { originIndex: origin, horizon: DAY, yhat: values.slice(origin + 1, origin + 1 + DAY), upper: values.slice(origin + 1, origin + 1 + DAY) };
    const score = scoreSeries(values, [perfect], { stepsPerDay: DAY, masked: (row) => row <= origin + 4 });
    expect(score).toMatchObject({ meanAbsoluteError: 0, relativeMeanAbsoluteError: 0, coverage: 1, points: DAY - 4, meanAbsoluteScaledError: 0 });
  });

  it('extends a line as predict_linear does', () => {
    const line = Array.from({ length: 50 }, (_, index) => 3 + 2 * index);
    expect(linearPrediction(line, 39, 3, 10).yhat.map((value) => Math.round(value * 1e9) / 1e9)).toEqual([83, 85, 87]);
  });
});
