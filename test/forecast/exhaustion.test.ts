import { describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { estimateExhaustion } from '../../src/forecast/exhaustion.js';
import { type Sample } from '../../src/signals.js';

const MINUTE = 60_000;
const MEBIBYTE = 1024 * 1024;
const LIMIT = 512 * MEBIBYTE;
const START = Date.UTC(2026, 2, 3, 9, 0, 0);
/** A leak of 100 KiB/s from 200 MiB: reaches 512 MiB 3,194.9 s (about 53 min) after START. */
const LEAK_PER_SECOND = 100 * 1024;
const LEAK_REACHES_LIMIT_AT = START + ((LIMIT - 200 * MEBIBYTE) / LEAK_PER_SECOND) * 1000;

/** Deterministic standard normal noise (mulberry32 through Box–Muller). */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
}

function series(from: number, to: number, stepMilliseconds: number, value: (time: number) => number): Sample[] {
  const samples: Sample[] = [];
  for (let time = from; time <= to; time += stepMilliseconds) samples.push({ timestamp: time, value: value(time) });
  return samples;
}

const leak = (time: number) => 200 * MEBIBYTE + ((time - START) / 1000) * LEAK_PER_SECOND;

describe('estimateExhaustion', () => {
  it('finds when a clean linear climb reaches capacity, with high confidence', () => {
    const now = START + 30 * MINUTE;
    const estimate = estimateExhaustion(series(START, now, MINUTE, leak), LIMIT);
    const truth = (LEAK_REACHES_LIMIT_AT - now) / 1000;
    expect(estimate.status).toBe('predicted');
    expect(estimate.now).toBe(now);
    expect(Math.abs(estimate.secondsToExhaustion! - truth) / truth).toBeLessThan(0.02);
    expect(Math.abs(estimate.exhaustionAt! - LEAK_REACHES_LIMIT_AT)).toBeLessThan(30_000);
    expect(estimate.slopePerSecond).toBeCloseTo(LEAK_PER_SECOND, -1);
    expect(estimate.confidence).toBeGreaterThan(0.99);
    expect(estimate.secondsToExhaustionRange!.earliest).toBeLessThanOrEqual(estimate.secondsToExhaustion!);
    expect(estimate.secondsToExhaustionRange!.latest).toBeGreaterThanOrEqual(estimate.secondsToExhaustion!);
    expect(estimate.fit).toEqual({ start: START, end: now, points: 31 });
  });

  it('sees no exhaustion in a flat noisy series', () => {
    const random = noise(1);
    const now = START + 6 * 60 * MINUTE;
    const estimate = estimateExhaustion(series(START, now, MINUTE, () => 300 * MEBIBYTE + 20 * MEBIBYTE * random()), LIMIT);
    expect(['no-trend', 'not-rising']).toContain(estimate.status);
    expect(estimate.secondsToExhaustion).toBeUndefined();
    expect(estimate.exhaustionAt).toBeUndefined();
    expect(estimate.confidence).toBe(0);
  });

  it('sees no exhaustion in a flat noisy series at any of a hundred instants', () => {
    const random = noise(2);
    const samples = series(START, START + 12 * 60 * MINUTE, MINUTE, () => 350 * MEBIBYTE + 15 * MEBIBYTE * random());
    for (let minute = 30; minute <= 12 * 60; minute += 7) {
      const estimate = estimateExhaustion(samples, LIMIT, { now: START + minute * MINUTE });
      expect(estimate.confidence, `minute ${minute}`).toBeLessThan(0.5);
    }
  });

  it('sees no exhaustion in a falling series', () => {
    const now = START + 60 * MINUTE;
    const estimate = estimateExhaustion(series(START, now, MINUTE, (time) => 450 * MEBIBYTE - ((time - START) / 1000) * 20_000), LIMIT);
    expect(estimate.status).toBe('not-rising');
    expect(estimate.slopePerSecond).toBeLessThan(0);
    expect(estimate.secondsToExhaustion).toBeUndefined();
    expect(estimate.confidence).toBe(0);
  });

  it('predicts a noisy climb later and less surely, but in the right order of magnitude', () => {
    const random = noise(3);
    const noisy = series(START, START + 50 * MINUTE, MINUTE, (time) => leak(time) + 12 * MEBIBYTE * random());
    const clean = series(START, START + 50 * MINUTE, MINUTE, leak);
    const firstConfident = (samples: Sample[]) => {
      for (let minute = 1; minute <= 50; minute += 1) {
        const estimate = estimateExhaustion(samples, LIMIT, { now: START + minute * MINUTE });
        if (estimate.status === 'predicted' && estimate.confidence >= 0.8) return { minute, estimate };
      }
      return undefined;
    };
    const cleanFirst = firstConfident(clean)!;
    const noisyFirst = firstConfident(noisy)!;
    expect(noisyFirst.minute).toBeGreaterThan(cleanFirst.minute);

    const now = START + 25 * MINUTE;
    const truth = (LEAK_REACHES_LIMIT_AT - now) / 1000;
    const noisyNow = estimateExhaustion(noisy, LIMIT, { now });
    const cleanNow = estimateExhaustion(clean, LIMIT, { now });
    expect(noisyNow.status).toBe('predicted');
    expect(noisyNow.secondsToExhaustion! / truth).toBeGreaterThan(0.5);
    expect(noisyNow.secondsToExhaustion! / truth).toBeLessThan(2);
    expect(noisyNow.confidence).toBeLessThanOrEqual(cleanNow.confidence);
    const width = (estimate: typeof noisyNow) => (estimate.secondsToExhaustionRange!.latest ?? Number.POSITIVE_INFINITY) - estimate.secondsToExhaustionRange!.earliest;
    expect(width(noisyNow)).toBeGreaterThan(width(cleanNow));
    expect(noisyNow.residualSpread!).toBeGreaterThan(5 * MEBIBYTE);
  });

  it('predicts a sawtooth (OOM kill and restart) from the climb since the last restart', () => {
    // Each cycle climbs from 200 MiB to the limit, is killed, and starts again a minute later.
    const cycleMilliseconds = LEAK_REACHES_LIMIT_AT - START + MINUTE;
    const sawtooth = (time: number) => Math.min(LIMIT, leak(START + ((time - START) % cycleMilliseconds)));
    const lastRestart = START + 2 * cycleMilliseconds;
    const now = lastRestart + 20 * MINUTE;
    const samples = series(START, now, MINUTE, sawtooth);
    const estimate = estimateExhaustion(samples, LIMIT);
    const truth = (LEAK_REACHES_LIMIT_AT - START - 20 * MINUTE) / 1000;
    expect(estimate.status).toBe('predicted');
    expect(Math.abs(estimate.secondsToExhaustion! - truth) / truth).toBeLessThan(0.03);
    expect(estimate.restartedAt).toBeGreaterThanOrEqual(lastRestart - MINUTE);
    expect(estimate.restartedAt).toBeLessThanOrEqual(lastRestart + MINUTE);
    expect(estimate.fit!.start).toBe(estimate.restartedAt);
    expect(estimate.confidence).toBeGreaterThan(0.99);

    const justRestarted = estimateExhaustion(samples, LIMIT, { now: lastRestart + 3 * MINUTE });
    expect(justRestarted.status).toBe('insufficient-data');
    expect(justRestarted.restartedAt).toBeDefined();
  });

  it('finds a leak that started late in an otherwise flat window', () => {
    const leakStart = START + 5 * 60 * MINUTE;
    const random = noise(4);
    const value = (time: number) => (time < leakStart ? 200 * MEBIBYTE : leak(START + time - leakStart)) + 0.5 * MEBIBYTE * random();
    const now = leakStart + 20 * MINUTE;
    const estimate = estimateExhaustion(series(START, now, MINUTE, value), LIMIT);
    const truth = (LEAK_REACHES_LIMIT_AT - START - 20 * MINUTE) / 1000;
    expect(estimate.status).toBe('predicted');
    expect(Math.abs(estimate.secondsToExhaustion! - truth) / truth).toBeLessThan(0.05);
    expect(estimate.fit!.start).toBeGreaterThanOrEqual(leakStart - 2 * MINUTE);
  });

  it('fits after the last change of trend, not the most telling one: a surge, then a scale-out step, is no climb', () => {
    // CPU of a traffic surge: flat, a jump capped at the limit for 15 minutes, then a step up when
    // scaling out lifts the cap, flat again. One split (at the surge) left the step to be fitted as a climb.
    const capacity = 6;
    const surgeAt = START + 60 * MINUTE;
    const scaledAt = surgeAt + 15 * MINUTE;
    const random = noise(7);
    const value = (time: number) => (time < surgeAt ? 0.7 : time < scaledAt ? 2.91 : 4) + 0.08 * random();
    const now = scaledAt + 25 * MINUTE;
    const estimate = estimateExhaustion(series(START, now, MINUTE, value), capacity);
    expect(estimate.fit!.start).toBeGreaterThanOrEqual(scaledAt - MINUTE);
    expect(estimate.status).not.toBe('predicted');
  });

  it('does not take a lone spike or dip for a restart', () => {
    const now = START + 30 * MINUTE;
    const samples = series(START, now, MINUTE, leak).map((sample, index) =>
      index === 20 ? { ...sample, value: LIMIT } : index === 25 ? { ...sample, value: 10 * MEBIBYTE } : sample,
    );
    const estimate = estimateExhaustion(samples, LIMIT);
    const truth = (LEAK_REACHES_LIMIT_AT - now) / 1000;
    expect(estimate.restartedAt).toBeUndefined();
    expect(estimate.fit!.points).toBe(31);
    expect(Math.abs(estimate.secondsToExhaustion! - truth) / truth).toBeLessThan(0.02);
  });

  it('copes with missing points, NaN values, duplicates, disorder and irregular steps', () => {
    const random = noise(5);
    const samples: Sample[] = [];
    // Steps from 20 s to 2 min, about one value in ten NaN (a failed scrape).
    for (let time = START; time <= START + 30 * MINUTE; time += 20_000 + Math.floor(Math.min(1, Math.abs(random()) / 2.5) * 100_000)) {
      samples.push({ timestamp: time, value: Math.abs(random()) > 1.6 ? Number.NaN : leak(time) });
    }
    const now = samples[samples.length - 1]!.timestamp;
    samples.push({ timestamp: now, value: leak(now) }, { timestamp: Number.NaN, value: 1 }, { timestamp: START + 5 * MINUTE, value: Number.POSITIVE_INFINITY });
    samples.reverse();
    const estimate = estimateExhaustion(samples, LIMIT);
    const truth = (LEAK_REACHES_LIMIT_AT - now) / 1000;
    expect(estimate.status).toBe('predicted');
    expect(Math.abs(estimate.secondsToExhaustion! - truth) / truth).toBeLessThan(0.02);
    expect(estimate.fit!.points).toBeLessThan(samples.length - 3);
  });

  it('reports a climb that reaches capacity after the horizon with low confidence', () => {
    const random = noise(6);
    // 4 KiB/s from 250 MiB reaches 512 MiB after about 19 h; the horizon is 6 h.
    const slow = (time: number) => 250 * MEBIBYTE + ((time - START) / 1000) * 4096 + 1 * MEBIBYTE * random();
    const now = START + 3 * 60 * MINUTE;
    const estimate = estimateExhaustion(series(START, now, MINUTE, slow), LIMIT);
    const truth = (LIMIT - slow(now)) / 4096;
    expect(estimate.status).toBe('predicted');
    expect(estimate.secondsToExhaustion! / truth).toBeGreaterThan(0.8);
    expect(estimate.secondsToExhaustion! / truth).toBeLessThan(1.25);
    expect(estimate.secondsToExhaustion!).toBeGreaterThan(estimate.horizonSeconds);
    expect(estimate.confidence).toBeLessThan(0.01);
    expect(estimateExhaustion(series(START, now, MINUTE, slow), LIMIT, { horizonSeconds: 24 * 3600 }).confidence).toBeGreaterThan(0.9);
  });

  it('asks for enough points, a long enough span and a fresh last sample', () => {
    expect(estimateExhaustion([], LIMIT).status).toBe('insufficient-data');
    expect(estimateExhaustion(series(START, START + 5 * MINUTE, MINUTE, leak), LIMIT).status).toBe('insufficient-data');
    expect(estimateExhaustion(series(START, START + 5 * MINUTE, 10_000, leak), LIMIT).status).toBe('insufficient-data');
    expect(estimateExhaustion(series(START, START + 5 * MINUTE, 10_000, leak), LIMIT, { minimumSpanSeconds: 240 }).status).toBe('predicted');
    const stale = estimateExhaustion(series(START, START + 30 * MINUTE, MINUTE, leak), LIMIT, { now: START + 60 * MINUTE });
    expect(stale.status).toBe('stale');
    expect(stale.secondsToExhaustion).toBeUndefined();
    const windowed = estimateExhaustion(series(START, START + 30 * MINUTE, MINUTE, leak), LIMIT, { windowSeconds: 15 * 60 });
    expect(windowed.fit!.start).toBe(START + 15 * MINUTE);
  });

  it('says a series already at capacity is exhausted, not predicted', () => {
    const estimate = estimateExhaustion(series(START, START + 30 * MINUTE, MINUTE, () => LIMIT), LIMIT);
    expect(estimate.status).toBe('exhausted');
    expect(estimate.secondsToExhaustion).toBe(0);
  });

  it('refuses a capacity or an option that cannot be right', () => {
    const samples = series(START, START + 30 * MINUTE, MINUTE, leak);
    for (const capacity of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => estimateExhaustion(samples, capacity)).toThrow(AiopsError);
    }
    try {
      estimateExhaustion(samples, LIMIT, { minimumPoints: 2 });
      expect.unreachable();
    } catch (error) {
      expect((error as AiopsError).code).toBe(ErrorCode.InputInvalid);
    }
    expect(() => estimateExhaustion(samples, LIMIT, { windowSeconds: -1 })).toThrow(/windowSeconds/);
  });
});
