import { describe, expect, it } from 'vitest';
import { forecastSeries, type SeriesForecast } from '../../src/forecast/forecast-series.js';
import { detectSeasons } from '../../src/forecast/season-detection.js';
import { seededRandom } from '../support/seeded-random.js';

const DAY = 288;
const STEP = 300;

/** Five-minute samples: a daily wave (peak in the evening), optional weekend dip, gaussian-ish noise. */
function series(days: number, options: { daily?: number; weekend?: number; noise?: number; level?: number; seed?: number } = {}): number[] {
  const random = seededRandom(options.seed ?? 7);
  const values: number[] = [];
  for (let index = 0; index < days * DAY; index += 1) {
    const phase = (2 * Math.PI * (index % DAY)) / DAY;
    const weekday = Math.floor(index / DAY) % 7;
    const noise = (random() + random() + random() - 1.5) * 2 * (options.noise ?? 1);
    values.push((options.level ?? 100) + (options.daily ?? 0) * Math.sin(phase) - (weekday >= 5 ? (options.weekend ?? 0) : 0) + noise);
  }
  return values;
}

function ok(forecast: SeriesForecast): Extract<SeriesForecast, { status: 'ok' }> {
  if (forecast.status !== 'ok') throw new Error(`expected a forecast, got ${forecast.status}`);
  return forecast;
}

describe('season detection', () => {
  it('finds a daily season in a daily wave, and no weekly one', () => {
    expect(detectSeasons(series(14, { daily: 30 }), { stepsPerDay: DAY }).map((season) => season.name)).toEqual(['daily']);
  });

  it('finds a weekly season where weekends differ', () => {
    expect(detectSeasons(series(21, { daily: 30, weekend: 40 }), { stepsPerDay: DAY }).map((season) => season.name)).toEqual(['daily', 'weekly']);
  });

  it('finds none in noise', () => {
    expect(detectSeasons(series(14, { noise: 5 }), { stepsPerDay: DAY })).toEqual([]);
  });

  it('needs three days before it calls a daily season', () => {
    expect(detectSeasons(series(2, { daily: 30 }), { stepsPerDay: DAY })).toEqual([]);
  });
});

describe('forecastSeries', () => {
  it('follows a daily wave a day ahead, within a few units, and picks a seasonal model', () => {
    const history = series(14, { daily: 30 });
    const truth = series(15, { daily: 30 }).slice(14 * DAY);
    const forecast = ok(forecastSeries(history, { stepSeconds: STEP, horizon: DAY }));
    expect(forecast.detectedSeasons.map((season) => season.name)).toEqual(['daily']);
    expect(forecast.model.kind).not.toBe('level');
    const meanError = forecast.point.reduce((sum, value, index) => sum + Math.abs(value - truth[index]!), 0) / DAY;
    expect(meanError).toBeLessThan(3);
  });

  it('never does worse in its own backtest than the seasonal naive forecast it always considers', () => {
    for (const seed of [1, 2, 3]) {
      const forecast = ok(forecastSeries(series(10, { daily: 10, noise: 6, seed }), { stepSeconds: STEP, horizon: 12 }));
      expect(forecast.backtest.meanAbsoluteError).toBeLessThanOrEqual(forecast.backtest.seasonalNaiveError!);
    }
  });

  it('widens its bounds with the horizon, and keeps the point between them', () => {
    // A random walk: the further ahead, the less anyone knows.
    const random = seededRandom(11);
    const walk: number[] = [];
    for (let index = 0, value = 500; index < 8 * DAY; index += 1) walk.push((value += random() - 0.5));
    const forecast = ok(forecastSeries(walk, { stepSeconds: STEP, horizon: DAY }));
    const above = forecast.upper.map((upper, index) => upper - forecast.point[index]!);
    const below = forecast.point.map((point, index) => point - forecast.lower[index]!);
    for (let index = 1; index < DAY; index += 1) {
      expect(above[index]!).toBeGreaterThanOrEqual(above[index - 1]!);
      expect(below[index]!).toBeGreaterThanOrEqual(below[index - 1]!);
    }
    expect(above.at(-1)!).toBeGreaterThan(3 * above[0]!);
  });

  it('forecasts through gaps in the history (and one at its end)', () => {
    const history: number[] = series(9, { daily: 30 });
    for (let index = 5 * DAY; index < 5 * DAY + 72; index += 1) history[index] = Number.NaN;
    for (let index = history.length - 6; index < history.length; index += 1) history[index] = Number.NaN;
    const truth = series(10, { daily: 30 }).slice(9 * DAY);
    const forecast = ok(forecastSeries(history, { stepSeconds: STEP, horizon: DAY }));
    expect(forecast.point.every(Number.isFinite) && forecast.upper.every(Number.isFinite)).toBe(true);
    const meanError = forecast.point.reduce((sum, value, index) => sum + Math.abs(value - truth[index]!), 0) / DAY;
    expect(meanError).toBeLessThan(4);
  });

  it('is not bent by an outage-sized spike or an anomalous stretch in the history', () => {
    const clean = series(10, { daily: 30 });
    const spoiled = [...clean];
    // Yesterday evening's two hours at ten times the load, at the very phase forecast next.
    for (let index = 9 * DAY + 60; index < 9 * DAY + 84; index += 1) spoiled[index] = spoiled[index]! * 10;
    const horizon = DAY;
    const fromClean = ok(forecastSeries(clean, { stepSeconds: STEP, horizon }));
    const fromSpoiled = ok(forecastSeries(spoiled, { stepSeconds: STEP, horizon }));
    for (let step = 60; step < 84; step += 1) expect(Math.abs(fromSpoiled.point[step]! - fromClean.point[step]!)).toBeLessThan(10);
  });

  it('forecasts a flat series flat, with no NaN anywhere', () => {
    const forecast = ok(forecastSeries(new Array(3 * DAY).fill(42), { stepSeconds: STEP, horizon: 48 }));
    expect(forecast.point.every((value) => value === 42)).toBe(true);
    expect(forecast.upper.every((value) => value === 42) && forecast.lower.every((value) => value === 42)).toBe(true);
  });

  it('says a series is too short instead of forecasting from it', () => {
    expect(forecastSeries([1, 2, 3, 4, 5], { stepSeconds: STEP, horizon: 12 })).toEqual({ status: 'too-short', stepsNeeded: 24, stepsGiven: 5 });
    expect(forecastSeries(new Array(40).fill(Number.NaN).map((value, index) => (index % 5 === 0 ? index : value)), { stepSeconds: STEP, horizon: 12 }).status).toBe('too-short');
  });

  it('does not forecast a non-negative signal below zero', () => {
    const falling = Array.from({ length: 3 * DAY }, (_, index) => Math.max(0, 50 - index * 0.06));
    const forecast = ok(forecastSeries(falling, { stepSeconds: STEP, horizon: DAY }));
    expect(Math.min(...forecast.point, ...forecast.lower)).toBeGreaterThanOrEqual(0);
  });
});
