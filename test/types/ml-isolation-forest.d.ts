/** The part of ml-isolation-forest 0.1.0 we call; the package ships no types. */
declare module 'ml-isolation-forest' {
  export class IsolationForest {
    /** `nEstimators`: number of trees, default 100. */
    constructor(options?: { nEstimators?: number });
    /** Grows every tree on all of `trainingSet` (no subsampling), with unseeded Math.random. */
    train(trainingSet: number[][]): void;
    /** Scores in [0, 1], higher = more anomalous. */
    predict(data: number[][]): number[];
  }
}
