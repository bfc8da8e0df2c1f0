/**
 * The scores of shared/datasets/forecast/README.md for one series' predictions: MAE, sMAPE,
 * seasonal MASE, relMAE against the seasonal naive forecast on the same points, and the coverage
 * of the 95% upper bound; over all points, or with the points inside the file's anomaly windows
 * left out. Pure: the caller reads the files.
 */

export interface PredictedOrigin {
  /** Row index of the origin (the last row the forecaster saw). */
  originIndex: number;
  horizon: number;
  yhat: readonly number[];
  upper?: readonly number[];
}

export interface SeriesScore {
  points: number;
  origins: number;
  meanAbsoluteError: number;
  symmetricPercentageError: number;
  meanAbsoluteScaledError: number;
  /** Our MAE over the seasonal naive's MAE on the same points. */
  relativeMeanAbsoluteError: number;
  /** Share of points at or below the upper bound; NaN without bounds. */
  coverage: number;
  /** Origins whose MASE scale was 0 (a constant season), skipped in the MASE. */
  zeroScaleOrigins: number;
}

export interface ScoringOptions {
  stepsPerDay: number;
  /** Rows not scored (inside an anomaly window); they still count as history. */
  masked?: (rowIndex: number) => boolean;
}

export function scoreSeries(values: readonly number[], predictions: readonly PredictedOrigin[], options: ScoringOptions): SeriesScore {
  const lag = options.stepsPerDay;
  let points = 0;
  let absoluteSum = 0;
  let naiveAbsoluteSum = 0;
  let symmetricSum = 0;
  let covered = 0;
  let boundedPoints = 0;
  let zeroScaleOrigins = 0;
  const scaledErrors: number[] = [];
  for (const prediction of predictions) {
    const origin = prediction.originIndex;
    let scaleSum = 0;
    let scaleCount = 0;
    for (let row = lag; row <= origin; row += 1) {
      const difference = Math.abs(values[row]! - values[row - lag]!);
      if (Number.isFinite(difference)) {
        scaleSum += difference;
        scaleCount += 1;
      }
    }
    let originAbsolute = 0;
    let originPoints = 0;
    for (let step = 1; step <= prediction.horizon; step += 1) {
      const row = origin + step;
      const actual = values[row]!;
      const forecast = prediction.yhat[step - 1]!;
      const naive = values[row - lag * Math.ceil(step / lag)]!;
      if (!Number.isFinite(actual) || options.masked?.(row)) continue;
      const error = Math.abs(actual - forecast);
      points += 1;
      absoluteSum += error;
      naiveAbsoluteSum += Math.abs(actual - naive);
      symmetricSum += Math.abs(actual) + Math.abs(forecast) === 0 ? 0 : (200 * error) / (Math.abs(actual) + Math.abs(forecast));
      originAbsolute += error;
      originPoints += 1;
      if (prediction.upper) {
        boundedPoints += 1;
        if (actual <= prediction.upper[step - 1]!) covered += 1;
      }
    }
    if (originPoints === 0) continue;
    const scale = scaleCount > 0 ? scaleSum / scaleCount : 0;
    if (scale === 0) zeroScaleOrigins += 1;
    else scaledErrors.push(originAbsolute / originPoints / scale);
  }
  return {
    points,
    origins: predictions.length,
    meanAbsoluteError: points > 0 ? absoluteSum / points : Number.NaN,
    symmetricPercentageError: points > 0 ? symmetricSum / points : Number.NaN,
    meanAbsoluteScaledError: scaledErrors.length > 0 ? scaledErrors.reduce((sum, value) => sum + value, 0) / scaledErrors.length : Number.NaN,
    relativeMeanAbsoluteError: naiveAbsoluteSum > 0 ? absoluteSum / naiveAbsoluteSum : Number.NaN,
    coverage: boundedPoints > 0 ? covered / boundedPoints : Number.NaN,
    zeroScaleOrigins,
  };
}

/** The protocol's baseline: the value one day earlier, its upper bound that plus the 95th percentile (nearest rank) of in-sample seasonal differences. */
export function seasonalNaivePrediction(values: readonly number[], originIndex: number, horizon: number, lag: number): PredictedOrigin {
  const differences: number[] = [];
  for (let row = lag; row <= originIndex; row += 1) {
    const difference = values[row]! - values[row - lag]!;
    if (Number.isFinite(difference)) differences.push(difference);
  }
  differences.sort((left, right) => left - right);
  const margin = differences.length > 0 ? differences[Math.max(0, Math.ceil(0.95 * differences.length) - 1)]! : 0;
  const yhat: number[] = [];
  for (let step = 1; step <= horizon; step += 1) yhat.push(values[originIndex + step - lag * Math.ceil(step / lag)]!);
  return { originIndex, horizon, yhat, upper: yhat.map((value) => value + margin) };
}

/**
 * Prometheus' predict_linear: a least-squares line through the last `window` rows, extended; its
 * upper bound adds 1.645 standard deviations of the residuals (a normal 95% one-sided bound).
 */
export function linearPrediction(values: readonly number[], originIndex: number, horizon: number, window: number): PredictedOrigin {
  const points: Array<[number, number]> = [];
  for (let row = Math.max(0, originIndex - window + 1); row <= originIndex; row += 1) if (Number.isFinite(values[row])) points.push([row, values[row]!]);
  const count = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / count;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / count;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const spread = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const slope = spread > 0 ? covariance / spread : 0;
  const residualDeviation = Math.sqrt(points.reduce((sum, [x, y]) => sum + (y - meanY - slope * (x - meanX)) ** 2, 0) / Math.max(1, count - 2));
  const yhat: number[] = [];
  for (let step = 1; step <= horizon; step += 1) yhat.push(meanY + slope * (originIndex + step - meanX));
  return { originIndex, horizon, yhat, upper: yhat.map((value) => value + 1.645 * residualDeviation) };
}
