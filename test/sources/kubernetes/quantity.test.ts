import { describe, expect, it } from 'vitest';
import { AiopsError, ErrorCode } from '../../../src/errors.js';
import { parseQuantity } from '../../../src/sources/kubernetes/quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['100m', 0.1],
    ['1', 1],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['2', 2],
    ['1500m', 1.5],
    ['500000u', 0.5],
    ['250000000n', 0.25],
  ])('reads cpu %s as %f cores', (text, cores) => {
    expect(parseQuantity(text)).toBe(cores);
  });

  it.each([
    ['512Mi', 512 * 1024 * 1024],
    ['1Gi', 1024 ** 3],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['64Ki', 65_536],
    ['2Ti', 2 * 1024 ** 4],
    ['1G', 1_000_000_000],
    ['1000k', 1_000_000],
    ['128M', 128_000_000],
    ['134217728', 134_217_728],
    ['1e3', 1000],
    ['1E6', 1_000_000],
    ['5e-1', 0.5],
  ])('reads memory %s as %d bytes', (text, bytes) => {
    expect(parseQuantity(text)).toBe(bytes);
  });

  it('tells milli from mega', () => {
    expect(parseQuantity('1m')).toBe(0.001);
    expect(parseQuantity('1M')).toBe(1_000_000);
  });

  it('ignores surrounding white space', () => {
    expect(parseQuantity(' 256Mi ')).toBe(256 * 1024 * 1024);
  });

  it.each(['', 'abc', '1.2.3', '10MB', '5 Gi', 'Mi', '1Ki1', '--1'])('rejects %j with an input error naming the text', (text) => {
    let caught: unknown;
    try {
      parseQuantity(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AiopsError);
    expect((caught as AiopsError).code).toBe(ErrorCode.InputInvalid);
    expect((caught as AiopsError).message).toContain(`"${text}"`);
  });
});
