import { describe, expect, it } from 'vitest';
import { normalTailProbability } from '../../src/detection/normal-tail.js';

describe('normalTailProbability', () => {
  it.each([
    [0, 0.5],
    [1.959963984540054, 0.025],
    [-1, 0.8413447460685429],
    [4.264890793922825, 1e-5],
    [6.361340902404056, 1e-10],
  ])('P(Z > %d) = %d', (z, expected) => {
    expect(Math.abs(normalTailProbability(z) - expected) / expected).toBeLessThan(1e-6);
  });
});
