import { describe, expect, it } from 'vitest';
import { capacityPlan } from '../../src/forecast/capacity-plan.js';

const HOUR = 3_600_000;
const timestamps = [1, 2, 3, 4].map((hour) => hour * HOUR);

describe('capacityPlan', () => {
  it('sizes for the peak of the upper bound at the target utilisation, rounding up', () => {
    // Peak p95 demand 2.9 cores; 0.5 cores a pod at 70% → 2.9 / 0.35 = 8.29 → 9 pods.
    const plan = capacityPlan({ timestamps, point: [1, 2, 2.5, 2], upper: [1.5, 2.6, 2.9, 2.4], current: 1.2, perPodCapacity: 0.5, replicas: 3, targetUtilisation: 0.7 });
    expect(plan).toMatchObject({ peakDemand: 2.9, peakAt: 3 * HOUR, averageDemand: 1.875, limit: 1.5, neededReplicas: 9, recommendedReplicas: 9, clampedByAutoscaler: false });
    expect(plan.headroom).toBeCloseTo(0.3);
    expect(plan.headroomShare).toBeCloseTo(0.2);
    // The point forecast reaches 1.5 cores at hour 2; the upper bound already at hour 1.
    expect(plan.limitReachedAt).toBe(2 * HOUR);
    expect(plan.limitPossiblyReachedAt).toBe(1 * HOUR);
  });

  it('is exact on a whole number of pods, never below one, and keeps inside the HPA range', () => {
    expect(capacityPlan({ timestamps, point: [1, 1, 1, 1], upper: [1.4, 1.4, 1.4, 1.4], current: 1, perPodCapacity: 0.5, replicas: 4, targetUtilisation: 0.7 }).neededReplicas).toBe(4);
    expect(capacityPlan({ timestamps, point: [0, 0, 0, 0], upper: [0, 0, 0, 0], current: 0, perPodCapacity: 0.5, replicas: 2, targetUtilisation: 0.7 }).neededReplicas).toBe(1);
    const clamped = capacityPlan({ timestamps, point: [5, 5, 5, 5], upper: [6, 6, 6, 6], current: 5, perPodCapacity: 0.5, replicas: 2, targetUtilisation: 0.5, autoscaler: { minReplicas: 2, maxReplicas: 10 } });
    expect(clamped).toMatchObject({ neededReplicas: 24, recommendedReplicas: 10, clampedByAutoscaler: true });
    expect(clamped.limitReachedAt).toBe(HOUR);
  });

  it('says nothing is reached when the forecast stays under the limit', () => {
    const plan = capacityPlan({ timestamps, point: [1, 1, 1, 1], upper: [1.2, 1.2, 1.2, 1.2], current: 1, perPodCapacity: 1, replicas: 2, targetUtilisation: 0.8 });
    expect(plan.limitReachedAt).toBeUndefined();
    expect(plan.limitPossiblyReachedAt).toBeUndefined();
  });

  it('refuses a capacity or target that makes no sense', () => {
    expect(() => capacityPlan({ timestamps, point: [1], upper: [1], current: 1, perPodCapacity: 0, replicas: 2, targetUtilisation: 0.7 })).toThrow(/perPodCapacity/);
    expect(() => capacityPlan({ timestamps, point: [1], upper: [1], current: 1, perPodCapacity: 1, replicas: 2, targetUtilisation: 1.5 })).toThrow(/targetUtilisation/);
  });
});
