/**
 * Replicas from a forecast. The demand to provision for is the peak of the forecast's 95% upper
 * bound over the horizon (a quiet forecast with a wide band still needs room for the band); the
 * replicas are that demand over what one pod may use at the target utilisation, rounded up:
 *
 *   replicas = ⌈ peak p95 demand / (per-pod capacity × target utilisation) ⌉
 *
 * the same arithmetic as the Horizontal Pod Autoscaler's (desired = ⌈current × usage / target⌉),
 * done ahead of the load instead of after it. The limit is per-pod capacity × current replicas;
 * the answer says when the point forecast, and when the upper bound, first reaches it.
 */

export interface CapacityPlanInput {
  /** Forecast timestamps (ms), point forecast and 95% upper bound, in the signal's unit. */
  timestamps: readonly number[];
  point: readonly number[];
  upper: readonly number[];
  /** Demand now (the last observed value). */
  current: number;
  /** What one pod may use: its CPU request or memory limit; for traffic, the requests per second one pod serves at its CPU request. */
  perPodCapacity: number;
  replicas: number;
  /** Share of per-pod capacity to plan for (0 < t ≤ 1). */
  targetUtilisation: number;
  /** The HPA's range, when there is one: the recommendation is clamped to it and says so. */
  autoscaler?: { minReplicas: number; maxReplicas: number };
}

export interface CapacityPlan {
  peakDemand: number;
  peakAt: number;
  averageDemand: number;
  /** Total capacity today: per-pod capacity × replicas. */
  limit: number;
  /** limit − current, and as a share of the limit (negative when already over). */
  headroom: number;
  headroomShare: number;
  /** Replicas the formula asks for, and after the HPA's range (equal when none). */
  neededReplicas: number;
  recommendedReplicas: number;
  clampedByAutoscaler: boolean;
  /** First forecast time at which the point forecast (expected) and the upper bound (possible) reach the limit. */
  limitReachedAt?: number;
  limitPossiblyReachedAt?: number;
}

export function capacityPlan(input: CapacityPlanInput): CapacityPlan {
  if (!(input.perPodCapacity > 0)) throw new RangeError(`perPodCapacity must be positive, got ${input.perPodCapacity}`);
  if (!(input.targetUtilisation > 0 && input.targetUtilisation <= 1)) throw new RangeError(`targetUtilisation must be in (0, 1], got ${input.targetUtilisation}`);
  let peakDemand = Number.NEGATIVE_INFINITY;
  let peakAt = input.timestamps[0] ?? Number.NaN;
  let sum = 0;
  let count = 0;
  const limit = input.perPodCapacity * input.replicas;
  let limitReachedAt: number | undefined;
  let limitPossiblyReachedAt: number | undefined;
  input.timestamps.forEach((timestamp, index) => {
    const upper = input.upper[index]!;
    const point = input.point[index]!;
    if (Number.isFinite(upper) && upper > peakDemand) {
      peakDemand = upper;
      peakAt = timestamp;
    }
    if (Number.isFinite(point)) {
      sum += point;
      count += 1;
      if (limitReachedAt === undefined && point >= limit) limitReachedAt = timestamp;
    }
    if (limitPossiblyReachedAt === undefined && Number.isFinite(upper) && upper >= limit) limitPossiblyReachedAt = timestamp;
  });
  if (!Number.isFinite(peakDemand)) peakDemand = input.current;
  const neededReplicas = Math.max(1, Math.ceil(Math.max(0, peakDemand) / (input.perPodCapacity * input.targetUtilisation) - 1e-9));
  const autoscaler = input.autoscaler;
  const recommendedReplicas = autoscaler ? Math.min(autoscaler.maxReplicas, Math.max(autoscaler.minReplicas, neededReplicas)) : neededReplicas;
  return {
    peakDemand,
    peakAt,
    averageDemand: count > 0 ? sum / count : Number.NaN,
    limit,
    headroom: limit - input.current,
    headroomShare: limit > 0 ? (limit - input.current) / limit : Number.NaN,
    neededReplicas,
    recommendedReplicas,
    clampedByAutoscaler: recommendedReplicas !== neededReplicas,
    ...(limitReachedAt === undefined ? {} : { limitReachedAt }),
    ...(limitPossiblyReachedAt === undefined ? {} : { limitPossiblyReachedAt }),
  };
}

/** The formula as the answer's footnote states it. */
export const CAPACITY_FORMULA = 'replicas = ⌈peak of the 95% upper bound ÷ (per-pod capacity × target utilisation)⌉';
