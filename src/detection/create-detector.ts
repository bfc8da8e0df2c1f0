import { z } from 'zod';
import { AiopsError, ErrorCode } from '../errors.js';
import { formatZodIssue } from '../zod-issue.js';
import type { AnomalyDetector, DetectorState } from './detector.js';
import { ENSEMBLE_KIND, ENSEMBLE_VERSION, EnsembleDetector, type EnsembleSettings, ensembleBodySchema } from './ensemble-detector.js';

/**
 * Settings of the streaming detector. Every field is optional; the defaults are the settings
 * benchmarked on NAB (`npm run bench:nab`, BENCHMARKS.md) and are the same for every series.
 * Rows are observations (missing ones excluded), so row counts scale with the sampling step.
 */
export interface DetectorOptions {
  /**
   * Rows at the start that only teach the detector; they score 0. Default 750: the cap of NAB's
   * probationary period. The NAB benchmark passes NAB's own value per file, min(floor(0.15 n), 750),
   * which NAB hands every detector.
   */
  learningRows?: number;
  /** Phase bins of the daily season. Default 288 (5 minutes each). */
  dailyBins?: number;
  /** Phase bins of the weekly season. Default 168 (1 hour each). */
  weeklyBins?: number;
  /** Weight of a new value in a forecaster's level. Default 0.05. */
  levelSmoothing?: number;
  /** Weight of a new value in its seasonal bin, once the bin has been visited often enough. Default 0.1. */
  seasonalSmoothing?: number;
  /** Weight of a new absolute error in a forecaster's typical error (its scale). Default 0.003. */
  errorSmoothing?: number;
  /** Errors beyond this many typical errors are clipped before they update the scale. Default 15. */
  errorClip?: number;
  /** Weight of a new error in the error used to pick the best forecaster. Default 0.003. */
  selectionSmoothing?: number;
  /** Surprises (in typical errors) beyond this count as this much in the likelihood. Default 30. */
  surpriseCap?: number;
  /** Rows averaged by the anomaly likelihood. Default 10. */
  likelihoodShortWindow?: number;
  /** Rows the likelihood's long-run distribution remembers (exponential). Default 3000. */
  likelihoodLongWindow?: number;
  /** Rows before the likelihood trusts its long-run distribution. Default 100. */
  likelihoodWarmupRows?: number;
  /** A new extreme must exceed the range seen by this fraction of its width. Default 0.05. */
  rangeTolerance?: number;
  /** ...and surprise the forecaster by this many typical errors. Default 4.5. */
  rangeMinimumSurprise?: number;
  /**
   * A score at or above this is an alert and starts the hold-off. Default 0.47: the likelihood's
   * score for a one-sided tail probability of 1e-5; every new extreme scores above it.
   */
  alertLevel?: number;
  /** Rows after an alert during which scores are capped at `holdoffCeiling`. Default 100. */
  holdoffRows?: number;
  /** The cap during the hold-off; below `alertLevel`. Default 0.25. */
  holdoffCeiling?: number;
  /** A step longer than this many typical sampling steps is a gap: the forecasters re-anchor. Default 4. */
  gapFactor?: number;
  /** Weight of a new step in the typical sampling step (geometric mean). Default 0.02. */
  stepSmoothing?: number;
}

export const DEFAULT_DETECTOR_OPTIONS: Readonly<Required<DetectorOptions>> = Object.freeze({
  learningRows: 750,
  dailyBins: 288,
  weeklyBins: 168,
  levelSmoothing: 0.05,
  seasonalSmoothing: 0.1,
  errorSmoothing: 0.003,
  errorClip: 15,
  selectionSmoothing: 0.003,
  surpriseCap: 30,
  likelihoodShortWindow: 10,
  likelihoodLongWindow: 3000,
  likelihoodWarmupRows: 100,
  rangeTolerance: 0.05,
  rangeMinimumSurprise: 4.5,
  alertLevel: 0.47,
  holdoffRows: 100,
  holdoffCeiling: 0.25,
  gapFactor: 4,
  stepSmoothing: 0.02,
});

/**
 * The alert threshold to use on `anomaly_score`, derived from NAB: the threshold NAB's optimiser
 * picks for this detector under the standard profile on the development subset (θ* = 0.4885,
 * `npm run bench:nab`, BENCHMARKS.md), rounded down; it scores the same as θ* under all three
 * profiles. It sits just above `alertLevel`: the weakest hold-off triggers are not worth an alert.
 * Tuned on NAB's development subset, not on held-out data.
 */
export const RECOMMENDED_ALERT_THRESHOLD = 0.488;

const fraction = z.number().gt(0).lte(1);
const rowCount = z.number().int().nonnegative();
const settingsSchema = z
  .object({
    learningRows: rowCount,
    dailyBins: z.number().int().min(1).max(10_080),
    weeklyBins: z.number().int().min(1).max(10_080),
    levelSmoothing: fraction,
    seasonalSmoothing: fraction,
    errorSmoothing: fraction,
    errorClip: z.number().gt(0),
    selectionSmoothing: fraction,
    surpriseCap: z.number().gt(0),
    likelihoodShortWindow: z.number().int().min(1).max(10_000),
    likelihoodLongWindow: z.number().gte(1),
    likelihoodWarmupRows: rowCount,
    rangeTolerance: z.number().nonnegative(),
    rangeMinimumSurprise: z.number().nonnegative(),
    alertLevel: fraction,
    holdoffRows: rowCount,
    holdoffCeiling: z.number().min(0).max(1),
    gapFactor: z.number().gt(1),
    stepSmoothing: fraction,
  })
  .strict()
  .refine((settings) => settings.holdoffCeiling < settings.alertLevel, { message: 'holdoffCeiling must be below alertLevel', path: ['holdoffCeiling'] });

/** A fresh detector for one series. Throws an AiopsError (AIOPS_CONFIG_INVALID) naming a bad option. */
export function createDetector(options: DetectorOptions = {}): AnomalyDetector {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const parsed = settingsSchema.safeParse({ ...DEFAULT_DETECTOR_OPTIONS, ...defined });
  if (!parsed.success) throw new AiopsError(ErrorCode.ConfigInvalid, `detector option ${formatZodIssue(parsed.error.issues[0] as z.core.$ZodIssue)}`);
  return new EnsembleDetector(parsed.data satisfies EnsembleSettings);
}

/**
 * The detector a snapshot was taken from, continuing exactly where it stopped. Refuses, with an
 * AiopsError (AIOPS_INPUT_INVALID), a state of another kind or version or one that does not hold
 * together, rather than scoring with a half-read state.
 */
export function restoreDetector(state: DetectorState): AnomalyDetector {
  const kind = (state as Partial<DetectorState> | null | undefined)?.kind;
  const version = (state as Partial<DetectorState> | null | undefined)?.version;
  if (kind !== ENSEMBLE_KIND || version !== ENSEMBLE_VERSION) {
    throw new AiopsError(ErrorCode.InputInvalid, `detector state: kind ${JSON.stringify(kind)} version ${JSON.stringify(version)} cannot be restored by this build (it reads kind "${ENSEMBLE_KIND}" version ${ENSEMBLE_VERSION})`, {
      hint: 'start a fresh detector for this series',
    });
  }
  const settings = settingsSchema.safeParse(state.settings);
  if (!settings.success) throw badState(`settings.${formatZodIssue(settings.error.issues[0] as z.core.$ZodIssue)}`);
  const body = ensembleBodySchema.safeParse(state);
  if (!body.success) throw badState(formatZodIssue(body.error.issues[0] as z.core.$ZodIssue));
  try {
    return new EnsembleDetector(settings.data, body.data);
  } catch (error) {
    throw badState(error instanceof Error ? error.message : String(error));
  }
}

function badState(detail: string): AiopsError {
  return new AiopsError(ErrorCode.InputInvalid, `detector state: ${detail}`, { hint: 'start a fresh detector for this series' });
}
