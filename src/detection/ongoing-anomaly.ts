import { EXHAUSTION_DEFAULTS } from '../forecast/exhaustion.js';
import { SYMPTOM_SIGNALS, type Signal } from '../signals.js';
import type { Anomaly } from './anomaly.js';
import { materialChange } from './service-anomalies.js';

/**
 * Whether an anomaly raised earlier still goes on, pass after pass. A detector fires once at an
 * onset and then holds off, so detection follows what it raised until it is over; these rules
 * decide when that is. Pure: the caller fetched the signals and made this pass's predictions.
 */

/** How long signals must stay back near their baseline before an anomaly counts as recovered. */
export const RECOVERY_HOLD_MILLISECONDS = 10 * 60_000;
/**
 * How long a prediction may stop holding before it counts as over. The exhaustion it predicts is
 * a restart (an OOM kill), which clears the series the estimator fits: it needs its minimum span
 * of fresh climb before it can predict again. Five more minutes cover the passes around that.
 */
export const PREDICTION_HOLD_MILLISECONDS = EXHAUSTION_DEFAULTS.minimumSpanSeconds * 1000 + 5 * 60_000;

/**
 * Whether the anomaly is still going on. A prediction is made afresh every pass, so it goes on
 * while this pass predicted it again. Any other anomaly goes on while one of its signals still
 * differs materially from its baseline; of one that named symptoms only the symptoms count (see
 * recoverySignals). `latest` gives a signal's latest finite value this pass.
 */
export function stillGoing(anomaly: Anomaly, latest: (signal: Signal) => number | undefined, predictedAgain: boolean): boolean {
  if (anomaly.kind === 'predictive') return predictedAgain;
  const baseline = anomaly.baseline ?? {};
  return recoverySignals(Object.keys(baseline) as Signal[]).some((signal) => {
    const value = latest(signal);
    return value !== undefined && materialChange(signal, value, baseline[signal]);
  });
}

/**
 * How long an anomaly must have stopped going on before it is over. Back to normal is not over
 * yet: a sawtooth (a leak killed and restarted) dips to normal too, and a prediction lapses for a
 * while after each restart.
 */
export function recoveryHoldMilliseconds(anomaly: Pick<Anomaly, 'kind'>): number {
  return anomaly.kind === 'predictive' ? PREDICTION_HOLD_MILLISECONDS : RECOVERY_HOLD_MILLISECONDS;
}

/**
 * The signals whose return ends an anomaly. When it named symptoms, those alone: the traffic and
 * resources that moved with them may rightly stay changed after the fix (scaling out serves the
 * same surge with more memory in total), and the trouble was the symptoms. Otherwise all of them.
 */
export function recoverySignals(signals: readonly Signal[]): Signal[] {
  const symptoms = signals.filter((signal) => SYMPTOM_SIGNALS.includes(signal));
  return symptoms.length > 0 ? symptoms : [...signals];
}
