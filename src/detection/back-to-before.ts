import type { Sample, Signal } from '../signals.js';
import type { Anomaly } from './anomaly.js';
import { largeChange } from './service-anomalies.js';

/**
 * Whether a finding made while the service is already in an incident is only the service going
 * back to how it was before: every signal it names is, at the triggering sample, within the
 * materiality floor of its level before the incident. The detectors judge against the last hour,
 * which during a long fault is the fault, so a fix (CPU back up once crash-looping pods run again,
 * latency back up from fast failures) looks new to them. It is the incident ending, not a new one.
 */
export function backToBefore(anomaly: Anomaly, signals: ReadonlyMap<Signal, readonly Sample[]>, before: Partial<Record<Signal, number>>): boolean {
  if (anomaly.kind !== 'anomaly' || anomaly.signals.length === 0) return false;
  return anomaly.signals.every((signal) => {
    const value = signals.get(signal)?.find((sample) => sample.timestamp === anomaly.detectedAt)?.value;
    const level = before[signal];
    return value !== undefined && level !== undefined && !largeChange(signal, value, level);
  });
}
