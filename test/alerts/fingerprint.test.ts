import { describe, expect, it } from 'vitest';
import { anomalyFingerprint, labelsFingerprint } from '../../src/alerts/fingerprint.js';
import { MINUTE, T0, anomaly } from './builders.js';

describe('anomalyFingerprint', () => {
  it('is the same for the same service, signal set and kind, whatever the time, id, score or signal order', () => {
    const first = anomaly('order-service', ['latency_p95', 'error_rate'], T0, 'warning');
    const later = { ...anomaly('order-service', ['error_rate', 'latency_p95', 'error_rate'], T0 + 45 * MINUTE, 'critical'), score: 0.5 };
    expect(anomalyFingerprint(later)).toBe(anomalyFingerprint(first));
    expect(anomalyFingerprint(first)).toBe('detector/anomaly/order-service/error_rate+latency_p95');
  });

  it('differs when the service, the signals or the kind differ', () => {
    const base = anomalyFingerprint(anomaly('order-service', ['error_rate'], T0));
    expect(anomalyFingerprint(anomaly('payment', ['error_rate'], T0))).not.toBe(base);
    expect(anomalyFingerprint(anomaly('order-service', ['error_rate', 'cpu'], T0))).not.toBe(base);
    expect(anomalyFingerprint(anomaly('order-service', ['error_rate'], T0, 'warning', 'predictive'))).not.toBe(base);
  });
});

describe('labelsFingerprint', () => {
  it('computes the value Prometheus and Alertmanager give the same label set', () => {
    // Vectors from prometheus/common model/signature_test.go (labelSetToFingerprint).
    expect(labelsFingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe((5799056148416392346n).toString(16).padStart(16, '0'));
    expect(labelsFingerprint({})).toBe((14695981039346656037n).toString(16));
  });

  it('does not depend on label order, and changes with any name or value', () => {
    const labels = { alertname: 'HighErrorRate', namespace: 'shop', service: 'order-service', severity: 'critical' };
    const reordered = { severity: 'critical', service: 'order-service', alertname: 'HighErrorRate', namespace: 'shop' };
    expect(labelsFingerprint(reordered)).toBe(labelsFingerprint(labels));
    expect(labelsFingerprint(labels)).toMatch(/^[0-9a-f]{16}$/);
    expect(labelsFingerprint({ ...labels, severity: 'warning' })).not.toBe(labelsFingerprint(labels));
    // The separator byte keeps "a"+"bc" apart from "ab"+"c".
    expect(labelsFingerprint({ a: 'bc' })).not.toBe(labelsFingerprint({ ab: 'c' }));
  });
});

describe('labelsFingerprint: the fast FNV-1a', () => {
  /** The straightforward FNV-1a with a BigInt per byte: the reference the fast one must equal. */
  function referenceFingerprint(labels: Readonly<Record<string, string>>): string {
    let hash = 14695981039346656037n;
    const add = (bytes: Uint8Array) => {
      for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 1099511628211n) & ((1n << 64n) - 1n);
    };
    for (const name of Object.keys(labels).sort()) {
      add(Buffer.from(name));
      add(Uint8Array.of(0xff));
      add(Buffer.from(labels[name] ?? ''));
      add(Uint8Array.of(0xff));
    }
    return hash.toString(16).padStart(16, '0');
  }

  it('equals the byte-by-byte FNV-1a on any text, multi-byte characters included', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', 'Z', '0', ' ', '-', 'é', '日', '😀', '\u00ff', '"'];
    for (let round = 0; round < 200; round++) {
      const labels: Record<string, string> = {};
      for (let index = 0; index < 1 + Math.floor(random() * 5); index++) {
        labels[`label_${Math.floor(random() * 1000)}`] = Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      }
      expect(labelsFingerprint(labels)).toBe(referenceFingerprint(labels));
    }
  });

  it('gives a 900 KB label the same fingerprint as the byte-by-byte FNV-1a (its cost: npm run bench:fingerprint)', () => {
    const labels = { alertname: 'KubeConfigMapHuge', namespace: 'shop', payload: 'x'.repeat(900_000) };
    expect(labelsFingerprint(labels)).toBe(referenceFingerprint(labels));
  });
});
