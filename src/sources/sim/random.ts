/**
 * Deterministic randomness keyed by coordinates rather than by call order. The same
 * (seed, service, signal, tick) always gives the same number, so a value anywhere in the
 * simulated history can be computed without replaying what came before, and a world with a
 * fault shares its noise with the same world without one (which is what makes "what changed
 * because of the fault" measurable).
 */
import { hashKey } from '../../hash-key.js';

export { hashKey };

/** Uniform in [0, 1). */
export function uniform(...parts: Array<string | number>): number {
  return hashKey(...parts) / 4294967296;
}

/** Standard normal (Box-Muller over two keyed uniforms). */
export function gaussian(...parts: Array<string | number>): number {
  const first = Math.max(uniform(...parts, 'a'), 1e-12);
  const second = uniform(...parts, 'b');
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}

/** A keyed integer in [minimum, maximum]. */
export function integerBetween(minimum: number, maximum: number, ...parts: Array<string | number>): number {
  return minimum + Math.floor(uniform(...parts) * (maximum - minimum + 1));
}

/** Lower-case alphanumeric suffix like Kubernetes' generated names (no vowels, as Kubernetes does). */
export function kubernetesSuffix(length: number, ...parts: Array<string | number>): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let index = 0; index < length; index += 1) suffix += alphabet[hashKey(...parts, index) % alphabet.length];
  return suffix;
}

/** Standard normal cumulative distribution (Abramowitz-Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(value: number): number {
  const sign = value < 0 ? -1 : 1;
  const x = Math.abs(value) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - polynomial * Math.exp(-x * x);
  return 0.5 * (1 + sign * erf);
}
