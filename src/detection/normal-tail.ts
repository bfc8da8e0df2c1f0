/**
 * Upper tail probability of the standard normal distribution, P(Z > z). Uses the Chebyshev fit of
 * erfc from Numerical Recipes (relative error below 1.2e-7 everywhere), which stays accurate far
 * into the tail where `1 - cdf` would cancel to 0: the anomaly likelihood needs tails near 1e-10.
 */
export function normalTailProbability(z: number): number {
  return 0.5 * complementaryErrorFunction(z / Math.SQRT2);
}

function complementaryErrorFunction(x: number): number {
  const magnitude = Math.abs(x);
  const t = 1 / (1 + 0.5 * magnitude);
  const tail =
    t *
    Math.exp(
      -magnitude * magnitude -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? tail : 2 - tail;
}
