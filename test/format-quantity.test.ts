import { describe, expect, it } from 'vitest';
import { formatNumber } from '../src/format-number.js';
import { formatQuantity } from '../src/format-quantity.js';
import { SIGNALS, formatSignalValue } from '../src/signals.js';

const MEBIBYTE = 1024 ** 2;

describe('formatQuantity: one way to write every measured value', () => {
  it('writes memory in MiB or GiB, never raw bytes', () => {
    expect(formatQuantity(1_111_880_341, 'bytes')).toBe('1 GiB');
    expect(formatQuantity(1536 * MEBIBYTE, 'bytes')).toBe('1.5 GiB');
    expect(formatQuantity(574_009_851, 'bytes')).toBe('547 MiB');
    expect(formatQuantity(2.5 * MEBIBYTE, 'bytes')).toBe('2.5 MiB');
    expect(formatQuantity(140 * 1024, 'bytes')).toBe('140 KiB');
    expect(formatQuantity(0, 'bytes')).toBe('0 B');
  });

  it('writes a share as a percentage, small ones with two decimals', () => {
    expect(formatQuantity(0.264, 'ratio')).toBe('26.4%');
    expect(formatQuantity(0.000865, 'ratio')).toBe('0.09%');
    expect(formatQuantity(1, 'ratio')).toBe('100%');
    expect(formatQuantity(0, 'ratio')).toBe('0%');
    expect(formatQuantity(0.00001, 'ratio')).toBe('<0.01%');
  });

  it('writes latency in ms below a second and in s above', () => {
    expect(formatQuantity(0.201, 'seconds')).toBe('201 ms');
    expect(formatQuantity(0.614, 'seconds')).toBe('614 ms');
    expect(formatQuantity(0.0048, 'seconds')).toBe('4.8 ms');
    expect(formatQuantity(1.41, 'seconds')).toBe('1.41 s');
  });

  it('writes cores, requests and restarts with their units', () => {
    expect(formatQuantity(0.224, 'cores')).toBe('0.22 cores');
    expect(formatQuantity(0.999, 'cores')).toBe('1 core');
    // A quiet service is not "0 cores".
    expect(formatQuantity(0.0718, 'cores')).toBe('0.072 cores');
    expect(formatQuantity(509.4, 'requests-per-second')).toBe('509 req/s');
    expect(formatQuantity(35.14, 'requests-per-second')).toBe('35.1 req/s');
    expect(formatQuantity(4, 'restarts-per-minute')).toBe('4 restarts/min');
  });

  it('gives every standard signal its unit, so no signal value is a bare number', () => {
    const written = Object.fromEntries(SIGNALS.map((signal) => [signal, formatSignalValue(signal, 0.614)]));
    expect(written).toEqual({ cpu: '0.61 cores', memory: '1 B', request_rate: '0.614 req/s', error_rate: '61.4%', latency_p95: '614 ms', restarts: '0.614 restarts/min' });
  });
});

describe('formatNumber', () => {
  it('keeps three significant digits and whole numbers from 1,000 up', () => {
    expect(formatNumber(0.08123)).toBe('0.0812');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(4520.4)).toBe('4520');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.000012)).toBe('1.20e-5');
  });
});
