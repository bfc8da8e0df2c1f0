/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) for algorithms
 * and simulations that must replay exactly: the same seed gives the same sequence on every
 * machine and Node version, which `Math.random` cannot promise. Not for anything secret.
 */

const TWO_POWER_26 = 67_108_864;
const TWO_POWER_53 = 9_007_199_254_740_992;

export class SeededRandom {
  private state0: number;
  private state1: number;
  private state2: number;
  private state3: number;
  private spareGaussian: number | undefined;

  /** Any number seeds it; only its integer part modulo 2^32 counts. */
  constructor(seed: number) {
    // splitmix32 spreads a small seed (0, 1, 2...) over the 128-bit state, which xoshiro needs to
    // be non-zero and well mixed from its first output.
    let mixer = Math.trunc(seed) >>> 0;
    const next = (): number => {
      mixer = (mixer + 0x9e3779b9) >>> 0;
      let value = mixer;
      value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
      value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
      return (value ^ (value >>> 16)) >>> 0;
    };
    this.state0 = next();
    this.state1 = next();
    this.state2 = next();
    this.state3 = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.state1, 5), 7), 9) >>> 0;
    const shifted = this.state1 << 9;
    this.state2 ^= this.state0;
    this.state3 ^= this.state1;
    this.state1 ^= this.state2;
    this.state0 ^= this.state3;
    this.state2 ^= shifted;
    this.state3 = rotateLeft(this.state3, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits, like `Math.random`. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * TWO_POWER_26 + low) / TWO_POWER_53;
  }

  /** A uniform integer in [0, bound); `bound` is a positive integer below 2^53. */
  nextInt(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** A standard normal deviate (Marsaglia's polar method; the second deviate is kept for the next call). */
  nextGaussian(): number {
    if (this.spareGaussian !== undefined) {
      const spare = this.spareGaussian;
      this.spareGaussian = undefined;
      return spare;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const radiusSquared = u * u + v * v;
      if (radiusSquared > 0 && radiusSquared < 1) {
        const factor = Math.sqrt((-2 * Math.log(radiusSquared)) / radiusSquared);
        this.spareGaussian = v * factor;
        return u * factor;
      }
    }
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}
