import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_OPTIONS, RECOMMENDED_ALERT_THRESHOLD, createDetector, restoreDetector } from '../../src/detection/create-detector.js';
import type { DetectorState } from '../../src/detection/detector.js';
import type { EnsembleState } from '../../src/detection/ensemble-detector.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';
import { scoreSeries, syntheticSeries } from './synthetic-series.js';

function trainedState(): DetectorState {
  const detector = createDetector({ learningRows: 100 });
  scoreSeries(detector, syntheticSeries(600, { amplitude: 5 }));
  return JSON.parse(JSON.stringify(detector.snapshot())) as DetectorState;
}

function restoreError(state: unknown): AiopsError {
  try {
    restoreDetector(state as DetectorState);
  } catch (error) {
    expect(error).toBeInstanceOf(AiopsError);
    return error as AiopsError;
  }
  throw new Error('restoreDetector accepted a bad state');
}

describe('createDetector', () => {
  it('applies the documented defaults and records them in the snapshot', () => {
    const state = createDetector().snapshot();
    expect(state).toMatchObject({ kind: 'ensemble', version: 1, settings: DEFAULT_DETECTOR_OPTIONS });
    expect(createDetector({ holdoffRows: 7, learningRows: undefined }).snapshot().settings).toMatchObject({ holdoffRows: 7, learningRows: 750 });
  });

  it('recommends a threshold at or above the level that starts a hold-off', () => {
    expect(RECOMMENDED_ALERT_THRESHOLD).toBeGreaterThanOrEqual(DEFAULT_DETECTOR_OPTIONS.alertLevel);
    expect(RECOMMENDED_ALERT_THRESHOLD).toBeLessThan(1);
  });

  it.each([
    [{ holdoffRows: -1 }, 'holdoffRows'],
    [{ dailyBins: 2.5 }, 'dailyBins'],
    [{ levelSmoothing: 0 }, 'levelSmoothing'],
    [{ gapFactor: 1 }, 'gapFactor'],
    [{ holdoffCeiling: 0.9 }, 'holdoffCeiling'],
    [{ learningRows: Number.NaN }, 'learningRows'],
  ])('refuses %o naming the option', (options, name) => {
    expect(() => createDetector(options)).toThrow(AiopsError);
    expect(() => createDetector(options)).toThrow(new RegExp(`^detector option ${name}:`));
    try {
      createDetector(options);
    } catch (error) {
      expect((error as AiopsError).code).toBe(ErrorCode.ConfigInvalid);
    }
  });

  it('refuses options it does not know', () => {
    expect(() => createDetector({ alertLevl: 0.5 } as never)).toThrow(/alertLevl/);
  });
});

describe('restoreDetector', () => {
  it('restores a valid state', () => {
    const state = trainedState();
    expect(restoreDetector(state).snapshot()).toEqual(state);
  });

  it('refuses another kind or version with a clear error', () => {
    const state = trainedState();
    const otherKind = restoreError({ ...state, kind: 'isolation-forest' });
    expect(otherKind.code).toBe(ErrorCode.InputInvalid);
    expect(otherKind.message).toBe('detector state: kind "isolation-forest" version 1 cannot be restored by this build (it reads kind "ensemble" version 1)');
    expect(restoreError({ ...state, version: 2 }).message).toMatch(/version 2 cannot be restored/);
    expect(restoreError(null).message).toMatch(/kind undefined version undefined/);
  });

  it('refuses a state that does not hold together, naming the part', () => {
    const state = trainedState();
    const without = { ...state } as Record<string, unknown>;
    delete without.likelihood;
    expect(restoreError(without).message).toMatch(/^detector state: likelihood/);

    const lossy = structuredClone(state) as EnsembleState;
    // What JSON makes of a NaN.
    (lossy.forecast.forecasters[1] as { level: unknown }).level = null;
    expect(restoreError(lossy).message).toMatch(/^detector state: forecast\.forecasters\[1\]\.level/);

    const shortSeason = structuredClone(state) as EnsembleState;
    shortSeason.forecast.forecasters[1]!.seasonal.pop();
    expect(restoreError(shortSeason).message).toMatch(/^detector state: expected 288 seasonal bins/);

    expect(restoreError({ ...state, settings: { ...(state.settings as object), weeklyBins: 0 } }).message).toMatch(/^detector state: settings\.weeklyBins/);
    expect(restoreError({ ...state, rows: -3 }).message).toMatch(/^detector state: rows/);
  });
});
