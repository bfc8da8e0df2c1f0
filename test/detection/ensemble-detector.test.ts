import { describe, expect, it } from 'vitest';
import { RECOMMENDED_ALERT_THRESHOLD, createDetector, restoreDetector } from '../../src/detection/create-detector.js';
import type { DetectorState } from '../../src/detection/detector.js';
import { FIVE_MINUTES, ROWS_PER_DAY, START, type Series, alertsBetween, scoreSeries, syntheticSeries } from './synthetic-series.js';

const THRESHOLD = RECOMMENDED_ALERT_THRESHOLD;

describe('streaming detector on constructed series', () => {
  it('scores a spike high at the spike and low everywhere else', () => {
    const series = syntheticSeries(3000, { seed: 7 });
    series.values[2000] = (series.values[2000] as number) + 15;
    const scores = scoreSeries(createDetector({ learningRows: 500 }), series);
    expect(scores[2000]).toBeGreaterThanOrEqual(THRESHOLD);
    expect(alertsBetween(scores, THRESHOLD)).toEqual([2000]);
    // Elsewhere the score is a tail probability on a log scale: mostly 0, rarely above 0.3 (p = 1e-3).
    const quiet = scores.filter((_, row) => row >= 500 && row !== 2000).sort((left, right) => left - right);
    expect(quiet[Math.floor(quiet.length / 2)]).toBeLessThan(0.02);
    expect(quiet[Math.floor(quiet.length * 0.99)]).toBeLessThan(0.3);
  });

  it('fires near a level shift, then re-learns the new level and stays quiet', () => {
    const series = syntheticSeries(4000, { seed: 11 });
    for (let row = 2000; row < 4000; row += 1) series.values[row] = (series.values[row] as number) + 8;
    const scores = scoreSeries(createDetector({ learningRows: 500 }), series);
    // One alert, within a few rows of the shift; the hold-off covers the re-learning.
    const alerts = alertsBetween(scores, THRESHOLD, 500);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toBeGreaterThanOrEqual(2000);
    expect(alerts[0]).toBeLessThan(2010);
    // Bounded: well after the shift the scores are back to ordinary.
    expect(Math.max(...scores.slice(2300))).toBeLessThan(0.35);
  });

  it('learns a daily season without firing on it, and fires when the season changes', () => {
    const series = syntheticSeries(14 * ROWS_PER_DAY, { amplitude: 20, seed: 3 });
    const change = 10 * ROWS_PER_DAY;
    // From day 10 the rhythm inverts: the daily peak arrives twelve hours late.
    for (let row = change; row < series.values.length; row += 1) series.values[row] = (series.values[row] as number) - 40 * Math.sin((2 * Math.PI * row) / ROWS_PER_DAY);
    const scores = scoreSeries(createDetector({ learningRows: 750 }), series);
    expect(alertsBetween(scores, THRESHOLD, 750, change)).toEqual([]);
    const alerts = alertsBetween(scores, THRESHOLD, change);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]).toBeLessThan(change + ROWS_PER_DAY / 4);
  });

  it('does not fire on the season itself when it is the only structure', () => {
    const scores = scoreSeries(createDetector({ learningRows: 750 }), syntheticSeries(14 * ROWS_PER_DAY, { amplitude: 50, seed: 5 }));
    expect(alertsBetween(scores, THRESHOLD, 750)).toEqual([]);
  });

  it('re-anchors across a gap rather than reading the drift it hides as a jump', () => {
    // A steady climb of 0.05 a row; a day missing hides a rise of 14 noise deviations.
    const full = syntheticSeries(6 * ROWS_PER_DAY, { seed: 13 });
    full.values = full.values.map((value, row) => value + 0.05 * row);
    const keep = (row: number) => row < 4 * ROWS_PER_DAY || row >= 5 * ROWS_PER_DAY;
    const series: Series = { timestamps: full.timestamps.filter((_, row) => keep(row)), values: full.values.filter((_, row) => keep(row)) };
    const scores = scoreSeries(createDetector({ learningRows: 750 }), series);
    expect(alertsBetween(scores, THRESHOLD, 750)).toEqual([]);
  });

  it('does not fire on a gap in the timestamps', () => {
    const full = syntheticSeries(10 * ROWS_PER_DAY, { amplitude: 20, seed: 9 });
    // Six hours missing in the afternoon of day 7, where the rhythm moves fastest.
    const gapStart = 7 * ROWS_PER_DAY + 100;
    const keep = (row: number) => row < gapStart || row >= gapStart + 72;
    const series: Series = { timestamps: full.timestamps.filter((_, row) => keep(row)), values: full.values.filter((_, row) => keep(row)) };
    const scores = scoreSeries(createDetector({ learningRows: 750 }), series);
    expect(alertsBetween(scores, THRESHOLD, 750)).toEqual([]);
  });

  it('does not fire on a run of missing values, and a missing value scores 0 without touching the state', () => {
    const series = syntheticSeries(10 * ROWS_PER_DAY, { amplitude: 20, seed: 9 });
    const withHoles: Series = { timestamps: [...series.timestamps], values: [...series.values] };
    const holes = new Set<number>([1000, 1500, 1501]);
    for (let row = 7 * ROWS_PER_DAY + 100; row < 7 * ROWS_PER_DAY + 172; row += 1) holes.add(row);
    for (const row of holes) withHoles.values[row] = Number.NaN;

    const detector = createDetector({ learningRows: 750 });
    const scores = scoreSeries(detector, withHoles);
    for (const row of holes) expect(scores[row]).toBe(0);
    expect(alertsBetween(scores, THRESHOLD, 750)).toEqual([]);

    // The same series with those rows absent gives the same scores and the same state.
    const present = (_: number, row: number) => !holes.has(row);
    const reference = createDetector({ learningRows: 750 });
    const referenceScores = scoreSeries(reference, { timestamps: series.timestamps.filter(present), values: series.values.filter(present) });
    expect(scores.filter(present)).toEqual(referenceScores);
    expect(detector.snapshot()).toEqual(reference.snapshot());
  });

  it('stays at 0 on a flat line and fires when it jumps', () => {
    const values = Array.from({ length: 2000 }, (_, row) => (row < 1500 ? 5 : 6));
    const timestamps = values.map((_, row) => START + row * FIVE_MINUTES);
    const scores = scoreSeries(createDetector({ learningRows: 200 }), { timestamps, values });
    expect(Math.max(...scores.slice(0, 1500))).toBe(0);
    expect(scores[1500]).toBeGreaterThanOrEqual(THRESHOLD);
    expect(alertsBetween(scores, THRESHOLD)).toEqual([1500]);
  });

  it('holds off after an alert, but not after one the caller dismissed', () => {
    // A harmless blip, then twenty rows later a real shift: inside the hold-off the blip started.
    const series = syntheticSeries(2000, { seed: 17 });
    series.values[1500] = (series.values[1500] as number) + 15;
    for (let row = 1520; row < 2000; row += 1) series.values[row] = (series.values[row] as number) + 30;
    expect(alertsBetween(scoreSeries(createDetector({ learningRows: 500 }), series), THRESHOLD, 500)).toEqual([1500]);

    const detector = createDetector({ learningRows: 500 });
    const scores = series.values.map((value, row) => {
      const score = detector.update(series.timestamps[row] as number, value);
      if (row === 1500) detector.dismiss?.();
      return score;
    });
    expect(alertsBetween(scores, THRESHOLD, 500)).toEqual([1500, 1520]);
  });

  it('keeps a hold-off when the row dismissed did not start it', () => {
    const series = syntheticSeries(2000, { seed: 17 });
    series.values[1500] = (series.values[1500] as number) + 15;
    series.values[1520] = (series.values[1520] as number) + 30;
    const detector = createDetector({ learningRows: 500 });
    const scores = series.values.map((value, row) => {
      const score = detector.update(series.timestamps[row] as number, value);
      // Every row after the alert is dismissed: none of them started the hold-off, so it stands.
      if (row > 1500) detector.dismiss?.();
      return score;
    });
    expect(alertsBetween(scores, THRESHOLD, 500)).toEqual([1500]);
  });

  it('keeps every score in [0, 1] on hostile input', () => {
    const detector = createDetector({ learningRows: 10 });
    const values = [0, 1e300, -1e300, 0, 0, Number.POSITIVE_INFINITY, -5, 1e-300, 3, 3, 3, Number.NaN, 7, -7, 1e12, 0];
    for (let round = 0; round < 50; round += 1) {
      values.forEach((value, index) => {
        // Duplicate and out-of-order timestamps too.
        const score = detector.update(START + (round * values.length + index) * FIVE_MINUTES * (index % 5 === 0 ? -1 : 1), value);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      });
    }
  });
});

describe('streaming detector state', () => {
  const series = syntheticSeries(6 * ROWS_PER_DAY, { amplitude: 10, seed: 21 });
  series.values[1400] = (series.values[1400] as number) + 40;

  it('gives the same scores for the same input', () => {
    expect(scoreSeries(createDetector(), series)).toEqual(scoreSeries(createDetector(), series));
  });

  it('continues identically from a JSON round trip of a mid-series snapshot', () => {
    const original = createDetector({ learningRows: 300 });
    const head: Series = { timestamps: series.timestamps.slice(0, 1000), values: series.values.slice(0, 1000) };
    const tail: Series = { timestamps: series.timestamps.slice(1000), values: series.values.slice(1000) };
    scoreSeries(original, head);
    const saved = JSON.parse(JSON.stringify(original.snapshot())) as DetectorState;
    expect(saved).toEqual(original.snapshot());
    const restored = restoreDetector(saved);
    const expected = scoreSeries(original, tail);
    expect(scoreSeries(restored, tail)).toEqual(expected);
    expect(Math.max(...expected)).toBeGreaterThanOrEqual(THRESHOLD);
    expect(restored.snapshot()).toEqual(original.snapshot());
  });

  it('snapshots a fresh detector and one in a hold-off alike', () => {
    const fresh = createDetector();
    expect(restoreDetector(JSON.parse(JSON.stringify(fresh.snapshot())) as DetectorState).snapshot()).toEqual(fresh.snapshot());
    const alerted = createDetector({ learningRows: 300 });
    scoreSeries(alerted, { timestamps: series.timestamps.slice(0, 1401), values: series.values.slice(0, 1401) });
    expect(alerted.snapshot().holdoffRemaining).toBeGreaterThan(0);
  });

  it('costs well under 100 µs an update', () => {
    const long = syntheticSeries(100_000, { amplitude: 10, seed: 2 });
    const detector = createDetector();
    const started = process.hrtime.bigint();
    scoreSeries(detector, long);
    const microseconds = Number(process.hrtime.bigint() - started) / 1e3 / long.values.length;
    // Typically about 1 µs; the bound only catches an accidental change of complexity.
    expect(microseconds).toBeLessThan(20);
  });
});
