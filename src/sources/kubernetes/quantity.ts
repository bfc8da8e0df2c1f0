import { inputError } from '../../errors.js';

/** Binary suffixes are powers of 1024; `Mi` and `M` differ by almost 5 %, so both must be exact. */
const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Decimal suffixes as powers of ten; `m` is milli and `M` is mega. */
const DECIMAL_EXPONENTS: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?)|[eE]([+-]?\d+))$/;

/**
 * Parses a Kubernetes resource quantity into base units: "250m" -> 0.25 (cores),
 * "512Mi" -> 536870912 (bytes), "1G" -> 1e9, "1e3" -> 1000.
 * Follows the grammar of k8s.io/apimachinery `resource.Quantity` (binary SI, decimal SI and
 * decimal exponent forms).
 */
export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text.trim());
  if (!match) {
    throw inputError('quantity', `expected a Kubernetes quantity such as 250m, 0.5, 512Mi or 1G, got "${text}"`);
  }
  const [, number, binarySuffix, decimalSuffix, exponent] = match;
  const value = Number(number);
  if (binarySuffix !== undefined) return value * (BINARY_SUFFIXES[binarySuffix] ?? 1);
  const power = exponent !== undefined ? Number(exponent) : (DECIMAL_EXPONENTS[decimalSuffix ?? ''] ?? 0);
  // Dividing for negative powers keeps "100m" at exactly 0.1 instead of 0.1000000000000000055.
  return power < 0 ? value / 10 ** -power : value * 10 ** power;
}
