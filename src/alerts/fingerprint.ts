import type { Anomaly } from '../detection/anomaly.js';

/**
 * The fingerprint of one of our detectors' anomalies: what is wrong and where, never when. The
 * same service, the same set of signals (order and repeats do not matter) and the same kind give
 * the same fingerprint, so a finding reported again a minute later is recognised as the same
 * alert. Kept readable rather than hashed: it cannot collide, it explains itself in logs and
 * Redis keys, and the `detector/` prefix keeps it apart from Alertmanager's 16 hex digits.
 */
export function anomalyFingerprint(anomaly: Pick<Anomaly, 'service' | 'signals' | 'kind'>): string {
  const signals = [...new Set(anomaly.signals)].sort();
  return `detector/${anomaly.kind}/${anomaly.service}/${signals.join('+')}`;
}

const FNV_OFFSET_BASIS = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const SIXTY_FOUR_BITS = (1n << 64n) - 1n;
/** Prometheus separates names and values with a byte that never occurs in UTF-8 text. */
const SEPARATOR_BYTE = 0xff;

/**
 * The fingerprint Alertmanager gives an alert, for senders that leave `fingerprint` out: the
 * 64-bit FNV-1a hash of the label set, names sorted, each name and value followed by 0xff,
 * written as 16 hex digits (prometheus/common `model.LabelSet.Fingerprint`). Computing the very
 * same value means an alert keeps one identity whether or not a delivery carried it.
 * Annotations and times are not part of it: they change while the alert stays the same.
 */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  const encoder = new TextEncoder();
  let hash = FNV_OFFSET_BASIS;
  const addByte = (byte: number): void => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & SIXTY_FOUR_BITS;
  };
  // Label names are ASCII ([a-zA-Z_][a-zA-Z0-9_]*), so JavaScript's sort matches Go's byte order.
  for (const name of Object.keys(labels).sort()) {
    for (const byte of encoder.encode(name)) addByte(byte);
    addByte(SEPARATOR_BYTE);
    for (const byte of encoder.encode(labels[name] ?? '')) addByte(byte);
    addByte(SEPARATOR_BYTE);
  }
  return hash.toString(16).padStart(16, '0');
}
