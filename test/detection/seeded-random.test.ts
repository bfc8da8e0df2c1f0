import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/detection/seeded-random.js';

describe('SeededRandom', () => {
  it('replays the same sequence for a seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => random.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    // Pinned: a model or simulation trained today must replay on any later machine.
    expect(draw(0).slice(0, 3)).toEqual(PINNED_SEED_0);
  });

  it('gives uniform numbers in [0, 1), integers below a bound, and standard normal deviates', () => {
    const random = new SeededRandom(42);
    const uniforms = Array.from({ length: 20_000 }, () => random.next());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect(uniforms.reduce((sum, value) => sum + value, 0) / uniforms.length).toBeCloseTo(0.5, 2);

    const counts = new Array<number>(6).fill(0);
    for (let index = 0; index < 60_000; index += 1) counts[random.nextInt(6)]! += 1;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);

    const normals = Array.from({ length: 20_000 }, () => random.nextGaussian());
    const mean = normals.reduce((sum, value) => sum + value, 0) / normals.length;
    const variance = normals.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

// From the reference C xoshiro128** (prng.di.unimi.it) seeded by the same splitmix32 steps.
const PINNED_SEED_0 = [3809008728, 1133695204, 53579671];
