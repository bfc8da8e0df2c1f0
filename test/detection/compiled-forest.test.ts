import { describe, expect, it } from 'vitest';
import { compileIsolationForest, packIsolationForest, packIsolationForestText, scoreCompiledForest, unpackIsolationForest, unpackIsolationForestText } from '../../src/detection/compiled-forest.js';
import { fitIsolationForest, scoreIsolationForest, serialiseIsolationForest } from '../../src/detection/isolation-forest.js';
import { SeededRandom } from '../../src/detection/seeded-random.js';
import { deserialiseServiceModel, multivariateAnomalies, serialiseServiceModel, trainServiceModel } from '../../src/detection/service-model.js';
import { AiopsError, ErrorCode } from '../../src/errors.js';

/** Six correlated signals over three days at five minutes, as a service's training rows are. */
function rows(count: number, seed: number): number[][] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const load = 1 + 0.5 * Math.sin((2 * Math.PI * index) / 288) + 0.05 * random.nextGaussian();
    return [0.4 * load + 0.01 * random.nextGaussian(), 2e8 + 1e7 * load, 100 * load, 0.001 * Math.abs(random.nextGaussian()), 0.05 * (1 + 0.1 * random.nextGaussian()), 0];
  });
}

function expectInputError(action: () => unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AiopsError);
  expect((thrown as AiopsError).code).toBe(ErrorCode.InputInvalid);
  expect((thrown as AiopsError).message).toMatch(pattern);
}

describe('the compiled isolation forest', () => {
  const training = rows(864, 1);
  const model = fitIsolationForest(training, { seed: 11 });
  const probes = [...rows(200, 2), [3, 5e8, 10, 0.2, 2, 1]];
  const expected = scoreIsolationForest(model, probes);
  const compiled = compileIsolationForest(model);

  it('scores bit for bit as the fitted model does, in half the memory', () => {
    expect(scoreCompiledForest(compiled, probes)).toEqual(expected);
    const bytes = (forest: object) => Object.values(forest).reduce((sum: number, field) => sum + (ArrayBuffer.isView(field) ? field.byteLength : 0), 0);
    expect(bytes(compiled)).toBeLessThan(0.6 * bytes(model));
  });

  it('packs for storage in a quarter of the node tables\' text, and reads back the same forest', () => {
    const text = packIsolationForestText(compiled);
    expect(text.length).toBeLessThan(0.3 * serialiseIsolationForest(model).length);
    const restored = unpackIsolationForestText(text);
    expect(scoreCompiledForest(restored, probes)).toEqual(expected);
    expect(packIsolationForestText(restored)).toBe(text);
  });

  it('refuses bytes that are not a packed forest, naming the problem', () => {
    const bytes = packIsolationForest(compiled);
    expectInputError(() => unpackIsolationForest(bytes.subarray(0, 10)), /shorter than the header/);
    expectInputError(() => unpackIsolationForest(bytes.subarray(0, bytes.length - 1)), /cut short|nodes/);
    expectInputError(() => unpackIsolationForest(Uint8Array.from([...bytes, 0])), /1 bytes left over/);
    const firstNode = 16 + 4 * (compiled.treeStarts.length - 1);
    const badFeature = Uint8Array.from(bytes);
    badFeature[firstNode] = 9;
    expectInputError(() => unpackIsolationForest(badFeature), /names feature 9 of 6/);
    const notFinite = Uint8Array.from(bytes);
    new DataView(notFinite.buffer).setFloat64(firstNode + 1, Number.NaN, true);
    expectInputError(() => unpackIsolationForest(notFinite), /threshold NaN/);
    expectInputError(() => unpackIsolationForestText('not base64!'), /expected base64/);
  });
});

describe('a service model in Redis', () => {
  const features = ['cpu', 'memory', 'request_rate', 'error_rate', 'latency_p95', 'restarts'] as const;
  const model = trainServiceModel([...features], rows(864, 3), { seed: 5 })!;
  const timed = [...rows(30, 4), [3, 5e8, 10, 0.2, 2, 1], [3, 5e8, 10, 0.2, 2, 1]].map((values, index) => ({ timestamp: index * 60_000, values }));

  it('is stored packed and finds the same anomalies once read back', () => {
    const text = serialiseServiceModel(model);
    expect(text.length).toBeLessThan(12 * model.forest.feature.length);
    const found = multivariateAnomalies('cart', model, timed, 0);
    expect(found.length).toBeGreaterThan(0);
    expect(multivariateAnomalies('cart', deserialiseServiceModel(text), timed, 0)).toEqual(found);
  });

  it('still reads a model stored before, with the forest as node tables', () => {
    const fitted = fitIsolationForest(rows(864, 3), { seed: 5 });
    const stored = JSON.stringify({ ...model, forest: serialiseIsolationForest(fitted) });
    const restored = deserialiseServiceModel(stored);
    expect(scoreCompiledForest(restored.forest, timed.map((row) => row.values))).toEqual(scoreIsolationForest(fitted, timed.map((row) => row.values)));
  });
});
