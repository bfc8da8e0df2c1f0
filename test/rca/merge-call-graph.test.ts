import { describe, expect, it } from 'vitest';
import { mergeCallGraph } from '../../src/rca/merge-call-graph.js';

const SCOPE = new Set(['frontend', 'checkout', 'payment', 'database']);

describe('mergeCallGraph', () => {
  it('keeps the catalogue\'s edges as they are and adds the ones traces found that it lacks', () => {
    const graph = mergeCallGraph(
      [
        ['frontend', 'checkout'],
        ['checkout', 'payment'],
      ],
      [
        ['checkout', 'payment'],
        ['payment', 'database'],
      ],
      SCOPE,
    );
    expect(graph).toEqual([
      ['frontend', 'checkout'],
      ['checkout', 'payment'],
      ['payment', 'database'],
    ]);
  });

  it('keeps a catalogued edge no trace shows: traces are sampled and a rare call may be missing from them', () => {
    expect(mergeCallGraph([['checkout', 'database']], [], SCOPE)).toEqual([['checkout', 'database']]);
  });

  it('adds no traced edge outside the services ranked, to itself, or twice', () => {
    const graph = mergeCallGraph(
      [],
      [
        ['checkout', 'shipping'],
        ['database', 'database'],
        ['frontend', 'payment'],
        ['frontend', 'payment'],
      ],
      SCOPE,
    );
    expect(graph).toEqual([['frontend', 'payment']]);
  });
});
