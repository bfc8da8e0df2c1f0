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
  return `${DETECTOR_FINGERPRINT_PREFIX}${anomaly.kind}/${anomaly.service}/${signals.join('+')}`;
}

/** What every detector fingerprint begins with, and no Alertmanager fingerprint (16 hex digits) can. */
const DETECTOR_FINGERPRINT_PREFIX = 'detector/';

/** Whether a fingerprint is in our detectors' namespace, which only they may use. */
export function isDetectorFingerprint(fingerprint: string): boolean {
  return fingerprint.startsWith(DETECTOR_FINGERPRINT_PREFIX);
}

/** Prometheus separates names and values with a byte that never occurs in UTF-8 text. */
const SEPARATOR = Buffer.from([0xff]);

/**
 * The fingerprint Alertmanager gives an alert, for senders that leave `fingerprint` out: the
 * 64-bit FNV-1a hash of the label set, names sorted, each name and value followed by 0xff,
 * written as 16 hex digits (prometheus/common `model.LabelSet.Fingerprint`). Computing the very
 * same value means an alert keeps one identity whether or not a delivery carried it.
 * Annotations and times are not part of it: they change while the alert stays the same.
 *
 * Cost is linear in the bytes and small: each name and value is encoded once by Node (no string
 * is built from them) and hashed in 16-bit limbs of plain numbers: ~4 ms for a 900 KB label,
 * where a BigInt per byte took ~60 ms and held the event loop that long.
 */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  const hash = new Fnv1a64();
  // Label names are ASCII ([a-zA-Z_][a-zA-Z0-9_]*), so JavaScript's sort matches Go's byte order.
  for (const name of Object.keys(labels).sort()) {
    hash.update(Buffer.from(name, 'utf8'));
    hash.update(SEPARATOR);
    hash.update(Buffer.from(labels[name] ?? '', 'utf8'));
    hash.update(SEPARATOR);
  }
  return hash.hex();
}

/**
 * FNV-1a, 64 bits, fed in chunks. The state is four 16-bit limbs, least significant first, so
 * every product stays exact in a double: multiplying by the prime 2^40 + 435 is 435 times each
 * limb plus the lower two limbs shifted up by 40 bits (two limbs and 8 bits), carried upwards.
 */
class Fnv1a64 {
  // The offset basis 0xcbf29ce484222325.
  private limb0 = 0x2325;
  private limb1 = 0x8422;
  private limb2 = 0x9ce4;
  private limb3 = 0xcbf2;

  update(bytes: Uint8Array): void {
    let { limb0, limb1, limb2, limb3 } = this;
    for (let index = 0; index < bytes.length; index++) {
      limb0 ^= bytes[index]!;
      const product0 = limb0 * 435;
      const product1 = limb1 * 435;
      const product2 = limb2 * 435 + (limb0 << 8);
      const product3 = limb3 * 435 + (limb1 << 8);
      const carried1 = product1 + (product0 >>> 16);
      const carried2 = product2 + (carried1 >>> 16);
      limb0 = product0 & 0xffff;
      limb1 = carried1 & 0xffff;
      limb2 = carried2 & 0xffff;
      limb3 = (product3 + (carried2 >>> 16)) & 0xffff;
    }
    this.limb0 = limb0;
    this.limb1 = limb1;
    this.limb2 = limb2;
    this.limb3 = limb3;
  }

  hex(): string {
    return [this.limb3, this.limb2, this.limb1, this.limb0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
  }
}
