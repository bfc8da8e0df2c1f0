import { formatNumber } from './format-number.js';

/**
 * The units the estate's quantities come in, as the sources deliver them (see src/sources/signals.ts):
 * `ratio` is a share from 0 to 1, written as a percentage; `seconds` a duration, written in ms
 * below a second.
 */
export type QuantityUnit = 'cores' | 'bytes' | 'ratio' | 'seconds' | 'requests-per-second' | 'restarts-per-minute';

const KIBIBYTE = 1024;
const MEBIBYTE = 1024 ** 2;
const GIBIBYTE = 1024 ** 3;

/**
 * A quantity for people, in the unit they think in: "0.42 cores", "1 core", "612 MiB", "1.5 GiB",
 * "26.4%", "0.09%", "850 ms", "1.25 s", "35.1 req/s", "2 restarts/min". The one formatter for
 * every answer, evidence line, Slack block and tool output that shows a measured value.
 */
export function formatQuantity(value: number, unit: QuantityUnit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'cores':
      return formatCores(value);
    case 'bytes':
      return formatBytes(value);
    case 'ratio':
      return formatPercentage(value * 100);
    case 'seconds':
      return formatSeconds(value);
    case 'requests-per-second':
      return `${formatNumber(value)} req/s`;
    case 'restarts-per-minute':
      return `${formatNumber(value)} restarts/min`;
  }
}

/** Hundredths of a core from a tenth up ("0.5 cores", "1 core"); two significant digits below, so a quiet service is not "0 cores". */
function formatCores(value: number): string {
  const cores = Math.abs(value) >= 0.1 ? Math.round(value * 100) / 100 : Number(value.toPrecision(2));
  return `${cores} ${cores === 1 ? 'core' : 'cores'}`;
}

function formatBytes(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= GIBIBYTE) return `${Math.round((value / GIBIBYTE) * 10) / 10} GiB`;
  if (magnitude >= MEBIBYTE) {
    const mebibytes = value / MEBIBYTE;
    return `${Math.abs(mebibytes) < 10 ? Math.round(mebibytes * 10) / 10 : Math.round(mebibytes)} MiB`;
  }
  if (magnitude >= KIBIBYTE) return `${Math.round(value / KIBIBYTE)} KiB`;
  return `${Math.round(value)} B`;
}

/** One decimal from 1% up, two below, and "<0.01%" for a share too small to write that way but not zero. */
function formatPercentage(percent: number): string {
  if (percent === 0) return '0%';
  const magnitude = Math.abs(percent);
  if (magnitude < 0.01) return `${percent < 0 ? '>-' : '<'}0.01%`;
  return `${Number(percent.toFixed(magnitude < 1 ? 2 : 1))}%`;
}

/** Milliseconds below a second (whole from 10 ms, one decimal below), seconds from there. */
function formatSeconds(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1) return `${formatNumber(value)} s`;
  const milliseconds = value * 1000;
  return `${Math.abs(milliseconds) >= 10 ? Math.round(milliseconds) : Number(milliseconds.toFixed(1))} ms`;
}
