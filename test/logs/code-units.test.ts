import { describe, expect, it } from 'vitest';
import { CodeUnits } from '../../src/logs/code-units.js';

const charCodes = (text: string): number[] => Array.from({ length: text.length }, (_, index) => text.charCodeAt(index));

describe('CodeUnits', () => {
  it('holds the code units charCodeAt reads, lone surrogates and astral characters included, then zeros', () => {
    const units = new CodeUnits();
    for (const text of ['', 'plain ascii 42', 'ünïcode\u00a0\u3000 µs', 'smile \u{1F600} and a lone \ud800 and \udfff', 'x'.repeat(5000)]) {
      const codes = units.load(text);
      expect([...codes.subarray(0, text.length)]).toEqual(charCodes(text));
      expect([...codes.subarray(text.length, text.length + 4)]).toEqual([0, 0, 0, 0]);
    }
  });

  it('shows nothing of a longer line loaded before past a shorter one', () => {
    const units = new CodeUnits();
    units.load('2015-10-18 12:00:00 then more');
    expect([...units.load('2015').subarray(0, 8)]).toEqual([...charCodes('2015'), 0, 0, 0, 0]);
  });

  it('reads lines longer than the array it keeps', () => {
    const units = new CodeUnits();
    const long = 'ab\u00e9 '.repeat(50_000);
    expect(units.load(long).subarray(0, long.length)).toEqual(Uint16Array.from(charCodes(long)));
    expect([...units.load('after').subarray(0, 6)]).toEqual([...charCodes('after'), 0]);
  });
});
