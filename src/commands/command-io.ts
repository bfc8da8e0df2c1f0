import { inputError } from '../errors.js';

/** What a command may touch: its streams and the clock, so tests run commands in-process. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  now: () => number;
}

export function integerOption(name: string, value: string | undefined, limits: { minimum: number; maximum: number; fallback: number }): number {
  if (value === undefined) return limits.fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < limits.minimum || parsed > limits.maximum) {
    throw inputError(name, `expected a whole number from ${limits.minimum} to ${limits.maximum}, got "${value}"`);
  }
  return parsed;
}

export function timeOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw inputError(name, `expected an ISO time such as 2026-11-25T12:00:00Z, got "${value}"`);
  return parsed;
}
