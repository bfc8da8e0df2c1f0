import type { AnomalyDetector, DetectorState } from '../../src/detection/detector.js';

/**
 * A detector with a rule a test can reason about: a value above 1.5× the first one it saw scores
 * 1, anything else 0. Tests of the detection plumbing use it so what they check is the plumbing.
 */
export class RatioDetector implements AnomalyDetector {
  constructor(private first?: number) {}

  update(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    this.first ??= value;
    return value > this.first * 1.5 ? 1 : 0;
  }

  snapshot(): DetectorState {
    return { kind: 'ratio-test', version: 1, first: this.first };
  }

  static restore(state: DetectorState): RatioDetector {
    return new RatioDetector(state.first as number | undefined);
  }
}
