import { describe, expect, it } from 'vitest';
import { SamplingClock } from '../../src/detection/sampling-clock.js';

describe('SamplingClock', () => {
  it('calls a step longer than gapFactor typical steps a gap, and nothing else', () => {
    const clock = new SamplingClock(4, 0.02);
    const minute = 60_000;
    let now = 0;
    const gaps: boolean[] = [];
    for (let row = 0; row < 100; row += 1) gaps.push(clock.observe((now += minute * (row % 3 === 0 ? 2 : 1))));
    expect(gaps.every((gap) => !gap)).toBe(true);
    expect(clock.observe(now + 10 * minute)).toBe(true);
    expect(clock.observe(now + 11 * minute)).toBe(false);
  });

  it('ignores duplicate and out-of-order timestamps', () => {
    const clock = new SamplingClock(4, 0.02);
    for (const timestamp of [0, 60_000, 120_000, 120_000, 60_000, 180_000]) expect(clock.observe(timestamp)).toBe(false);
    expect(clock.snapshot()).toEqual({ lastTimestamp: 180_000, logStep: expect.any(Number) });
  });
});
