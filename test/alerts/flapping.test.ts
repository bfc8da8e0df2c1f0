import { describe, expect, it } from 'vitest';
import { isFlapping } from '../../src/alerts/flapping.js';
import { MINUTE, T0 } from './builders.js';

describe('isFlapping', () => {
  it('needs four transitions inside 30 minutes by default', () => {
    const transitions = [T0, T0 + 5 * MINUTE, T0 + 10 * MINUTE, T0 + 15 * MINUTE];
    expect(isFlapping(transitions.slice(0, 3), T0 + 15 * MINUTE)).toBe(false);
    expect(isFlapping(transitions, T0 + 15 * MINUTE)).toBe(true);
  });

  it('forgets transitions older than the window', () => {
    const spread = [T0, T0 + 12 * MINUTE, T0 + 24 * MINUTE, T0 + 36 * MINUTE];
    expect(isFlapping(spread, T0 + 36 * MINUTE)).toBe(false);
    expect(isFlapping(spread, T0 + 36 * MINUTE, { windowMilliseconds: 40 * MINUTE })).toBe(true);
  });

  it('ignores transitions after now and honours a custom minimum', () => {
    const transitions = [T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE];
    expect(isFlapping(transitions, T0 + 2 * MINUTE)).toBe(false);
    expect(isFlapping(transitions, T0 + 2 * MINUTE, { minimumTransitions: 3 })).toBe(true);
  });
});
