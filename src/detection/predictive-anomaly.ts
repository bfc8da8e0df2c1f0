import { definedOnly } from '../defined-only.js';
import type { Anomaly, AnomalySeverity } from './anomaly.js';
import { inputError } from '../errors.js';
import { formatQuantity } from '../format-quantity.js';
import type { Signal, Sample } from '../signals.js';
import { estimateExhaustion, type ExhaustionEstimate, type ExhaustionOptions } from '../forecast/exhaustion.js';

/**
 * Predictive anomalies: "cart memory reaches its limit (512 MiB) in about 35 min", raised while
 * there is still time to act. Whether a finding is worth raising is decided here; the trend and its
 * confidence come from `estimateExhaustion`.
 *
 * Which capacity to compare with is the caller's choice, because the signals are summed over pods:
 * - per pod: each pod's working set against the per-pod limit, keeping the worst pod
 *   (`worstPodPredictiveAnomaly`). This is what the kubelet enforces (a pod is OOM-killed alone) and
 *   what catches a leak in one pod among many; prefer it when per-pod series are available.
 * - summed: the service total against replicas × the per-pod limit. Cheaper (one series), right for
 *   CPU against the total request, but a leaking pod is diluted by its healthy siblings and the
 *   series changes level whenever the replica count does.
 */

/** The capacity a signal runs into; it decides the wording and the unit of the summary. */
export type CapacityName = 'memory limit' | 'memory request' | 'CPU limit' | 'CPU request';

const CAPACITY_WORDING: Record<CapacityName, { subject: string; noun: string; unit: 'bytes' | 'cores' }> = {
  'memory limit': { subject: 'memory', noun: 'limit', unit: 'bytes' },
  'memory request': { subject: 'memory', noun: 'request', unit: 'bytes' },
  'CPU limit': { subject: 'CPU', noun: 'limit', unit: 'cores' },
  'CPU request': { subject: 'CPU', noun: 'request', unit: 'cores' },
};

export interface PredictiveAnomalyInput {
  service: string;
  signal: Signal;
  /** The signal's samples, in the capacity's unit (bytes for memory, cores for CPU). */
  samples: readonly Sample[];
  /** The value at which the resource is exhausted, as the caller chose it (see the file comment). */
  capacity: number;
  capacityName: CapacityName;
  /** The evaluation instant, ms since the epoch; samples after it are ignored. */
  now: number;
  /** The pod the samples belong to, when the series is one pod's. */
  pod?: string;
}

export interface PredictiveAlertOptions {
  /** Raise only when exhaustion is expected within this many seconds (default 21,600: 6 h). */
  horizonSeconds?: number;
  /** Raise only at or above this confidence, 0..1 (default 0.8). */
  minimumConfidence?: number;
  /** Critical when exhaustion is expected sooner than this, in seconds (default 1,800: 30 min). */
  criticalWithinSeconds?: number;
  /** Warning when sooner than this, in seconds (default 7,200: 2 h); info otherwise. */
  warningWithinSeconds?: number;
  /** Passed to `estimateExhaustion`; its horizon and `now` come from here and the input. */
  exhaustion?: Omit<ExhaustionOptions, 'horizonSeconds' | 'now'>;
}

export const PREDICTIVE_ALERT_DEFAULTS: Required<Omit<PredictiveAlertOptions, 'exhaustion'>> = {
  horizonSeconds: 6 * 3600,
  minimumConfidence: 0.8,
  criticalWithinSeconds: 30 * 60,
  warningWithinSeconds: 2 * 3600,
};

export interface PredictiveAnomaly extends Anomaly {
  kind: 'predictive';
  prediction: {
    capacity: number;
    capacityName: CapacityName;
    pod?: string;
    secondsToExhaustion: number;
    /** ms since the epoch. */
    exhaustionAt: number;
    confidence: number;
    estimate: ExhaustionEstimate;
  };
}

/** The predictive anomaly for one series, or undefined when nothing is expected to run out in time. */
export function predictiveAnomaly(input: PredictiveAnomalyInput, options: PredictiveAlertOptions = {}): PredictiveAnomaly | undefined {
  const settings = { ...PREDICTIVE_ALERT_DEFAULTS, ...definedOnly(options) };
  if (!(settings.minimumConfidence >= 0 && settings.minimumConfidence <= 1)) throw inputError('minimumConfidence', 'expected a number from 0 to 1');
  const estimate = estimateExhaustion(input.samples, input.capacity, { ...options.exhaustion, horizonSeconds: settings.horizonSeconds, now: input.now });
  // Already exhausted is not a prediction: the detectors and the cluster's own events report it.
  if (estimate.status !== 'predicted' || estimate.secondsToExhaustion === undefined || estimate.exhaustionAt === undefined) return undefined;
  if (estimate.secondsToExhaustion > settings.horizonSeconds || estimate.confidence < settings.minimumConfidence) return undefined;

  const wording = CAPACITY_WORDING[input.capacityName];
  const where = input.pod === undefined ? '' : ` (pod ${input.pod})`;
  return {
    id: ['predictive', input.service, input.signal, input.capacityName.replace(' ', '-'), input.pod, input.now].filter((part) => part !== undefined).join(':'),
    kind: 'predictive',
    service: input.service,
    signals: [input.signal],
    score: estimate.confidence,
    severity: severityFor(estimate.secondsToExhaustion, settings),
    detectedAt: input.now,
    evidence: { start: estimate.fit?.start ?? input.now, end: input.now },
    summary: `${input.service} ${wording.subject} reaches its ${wording.noun} (${formatQuantity(input.capacity, wording.unit)}) ${formatTimeLeft(estimate.secondsToExhaustion)}${where}`,
    prediction: {
      capacity: input.capacity,
      capacityName: input.capacityName,
      pod: input.pod,
      secondsToExhaustion: estimate.secondsToExhaustion,
      exhaustionAt: estimate.exhaustionAt,
      confidence: estimate.confidence,
      estimate,
    },
  };
}

export interface PodSeries {
  pod: string;
  samples: readonly Sample[];
}

/**
 * The most urgent predictive anomaly among a service's pods, each compared with the per-pod
 * capacity: the earliest exhaustion, then the higher confidence. Pods that are gone stop having
 * fresh samples and so drop out (the estimator calls their series stale).
 */
export function worstPodPredictiveAnomaly(
  input: Omit<PredictiveAnomalyInput, 'samples' | 'pod'> & { pods: readonly PodSeries[] },
  options: PredictiveAlertOptions = {},
): PredictiveAnomaly | undefined {
  const { pods, ...shared } = input;
  let worst: PredictiveAnomaly | undefined;
  for (const series of pods) {
    const candidate = predictiveAnomaly({ ...shared, pod: series.pod, samples: series.samples }, options);
    if (!candidate) continue;
    const sooner = !worst || candidate.prediction.secondsToExhaustion < worst.prediction.secondsToExhaustion;
    const asSoonButSurer = worst && candidate.prediction.secondsToExhaustion === worst.prediction.secondsToExhaustion && candidate.score > worst.score;
    if (sooner || asSoonButSurer) worst = candidate;
  }
  return worst;
}

function severityFor(secondsToExhaustion: number, settings: typeof PREDICTIVE_ALERT_DEFAULTS): AnomalySeverity {
  if (secondsToExhaustion < settings.criticalWithinSeconds) return 'critical';
  if (secondsToExhaustion < settings.warningWithinSeconds) return 'warning';
  return 'info';
}

/**
 * "in about 35 min", "in about 2 h": as precise as a forecast deserves. Minutes to the nearest one
 * below 10, then to 5; hours to the half below 10, then whole; days from 48 h.
 */
export function formatTimeLeft(seconds: number): string {
  const minutes = seconds / 60;
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 9.5) return `in about ${Math.round(minutes)} min`;
  const fiveMinutes = Math.round(minutes / 5) * 5;
  if (fiveMinutes < 60) return `in about ${fiveMinutes} min`;
  const hours = minutes / 60;
  if (hours < 9.75) return `in about ${Math.round(hours * 2) / 2} h`;
  if (hours < 47.5) return `in about ${Math.round(hours)} h`;
  const days = Math.round(hours / 24);
  return `in about ${days} days`;
}
