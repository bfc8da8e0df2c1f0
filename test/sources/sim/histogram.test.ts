import { describe, expect, it } from 'vitest';
import { histogramQuantile } from '../../../src/sources/sim/histogram.js';
import { crashLoopState, leakState } from '../../../src/sources/sim/pod-lifecycle.js';

describe('histogramQuantile, as Prometheus computes it', () => {
  const buckets = [
    { upperBound: 0.1, count: 50 },
    { upperBound: 0.5, count: 90 },
    { upperBound: 1, count: 100 },
    { upperBound: Number.POSITIVE_INFINITY, count: 100 },
  ];

  it('interpolates inside the bucket holding the rank', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1, 12);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.4 * (20 / 40), 12);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.5 + 0.5 * (5 / 10), 12);
  });

  it('answers the highest finite bound when the rank falls in +Inf, and NaN without observations', () => {
    expect(histogramQuantile(0.99, [{ upperBound: 1, count: 90 }, { upperBound: Number.POSITIVE_INFINITY, count: 100 }])).toBe(1);
    expect(histogramQuantile(0.5, [{ upperBound: 1, count: 0 }, { upperBound: Number.POSITIVE_INFINITY, count: 0 }])).toBeNaN();
  });
});

describe('pod lifecycles', () => {
  it('restarts a crashing container with the kubelet\'s doubling back-off', () => {
    // Exits 3 s after each start; restarts after 10, 20, 40, 80 s of back-off.
    expect(crashLoopState(0, 12_999).restarts).toBe(0);
    expect(crashLoopState(0, 13_000).restarts).toBe(1);
    expect(crashLoopState(0, 13_000 + 3_000 + 20_000).restarts).toBe(2);
    expect(crashLoopState(0, 3_600_000).restarts).toBeGreaterThan(10);
  });

  it('OOM-kills a leaking container when it has used its headroom, then starts over', () => {
    // 1 MB/s into 100 MB of headroom: killed after 100 s, down 15 s, leaking again.
    expect(leakState(0, 50_000, 1e6, 100e6)).toMatchObject({ restarts: 0, leakedBytes: 50e6 });
    expect(leakState(0, 120_000, 1e6, 100e6)).toMatchObject({ restarts: 1, leakedBytes: 5e6 });
    expect(leakState(0, 110_000, 1e6, 100e6).downSecondsInLastMinute).toBe(10);
  });
});
