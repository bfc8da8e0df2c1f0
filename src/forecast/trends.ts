import type { Sample, Signal } from '../signals.js';
import { finiteMean, finiteMedian } from './robust-statistics.js';

/**
 * The largest sustained changes in a service's signals: drift, told apart from seasonality and
 * from spikes.
 *
 * Like with like. A recent window is compared with the same hours of the day a whole number of
 * days earlier (a week, else a day; or the day before a deploy), hour by hour, so a daily peak in
 * both windows cancels out instead of reading as growth.
 *
 * A change counts when it is large, sure and lasting: the difference of the two windows' levels
 * (medians; means for restarts, which are sparse event counts whose median is zero) is at least
 * `minimumEffectSize` spreads, where the spread is the usual within-hour noise of the earlier
 * window floored by a share of its level and by a per-signal minimum (so a flat series does not
 * turn a trickle into an enormous effect); it is at least `minimumRelativeChange` of the earlier
 * level; and most hourly levels of the recent window lie on the side of the change, which one
 * spike, however tall, cannot make true.
 */

export type TrendComparisonKind = 'week-over-week' | 'day-over-day' | 'since-deploy';

/**
 * What a change means: up in latency, errors, restarts, CPU or memory is `worse` (down is
 * `better`); traffic moving either way is `traffic`, neither good nor bad by itself.
 */
export type TrendDirection = 'worse' | 'better' | 'traffic';

/** A span of time, ms since the epoch: the samples with start < timestamp ≤ end. */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface TrendComparison {
  kind: TrendComparisonKind;
  /** The recent window. */
  after: TimeWindow;
  /** The same hours of the day, whole days earlier. */
  before: TimeWindow;
}

export interface Trend {
  service: string;
  signal: Signal;
  comparison: TrendComparison;
  /** Level of the earlier and of the recent window, in the signal's unit (medians; means for restarts). */
  before: number;
  after: number;
  /** (after − before) / before; undefined when before is zero (something that was not there at all). */
  relativeChange?: number;
  /** |after − before| in spreads (see the module's comment). */
  effectSize: number;
  rising: boolean;
  direction: TrendDirection;
  /** Hours whose recent level lies on the side of the change, of the hours compared. */
  sustainedHours: number;
  comparedHours: number;
}

export interface TrendSeries {
  service: string;
  signal: Signal;
  /** The signal's history, any order; gaps are simply missing samples. */
  samples: readonly Sample[];
}

export interface TrendRequest {
  series: readonly TrendSeries[];
  /** The instant the recent windows end at, ms since the epoch. */
  now: number;
  /** When each service's current revision rolled out, ms since the epoch; a service without one gets no since-deploy comparison. */
  deployedAt?: Readonly<Record<string, number>>;
}

/** The comparisons made for one service: which windows were looked at, over which signals. */
export interface ComparisonMade {
  service: string;
  comparison: TrendComparison;
  signals: Signal[];
}

/** A comparison that could not be made, and why ("less than 30 h of history"). */
export interface ComparisonSkipped {
  service: string;
  kind: TrendComparisonKind;
  signals: Signal[];
  reason: string;
}

export interface TrendReport {
  /** Sustained changes, largest effect first; at most one per service and signal (the larger of its comparisons). */
  trends: Trend[];
  compared: ComparisonMade[];
  skipped: ComparisonSkipped[];
}

export interface TrendOptions {
  /** Spreads the difference of levels must reach (default 3). */
  minimumEffectSize?: number;
  /** Share of the earlier level the change must reach (default 0.1). */
  minimumRelativeChange?: number;
  /** Share of the compared hours whose recent level must lie on the side of the change (default 0.75). */
  minimumSustainedShare?: number;
  /** Share of a window's hours that must have data in both windows (default 0.75). */
  minimumCoverage?: number;
  /** Fewest hours compared; a deploy more recent than this is not compared yet (default 3). */
  minimumHours?: number;
  /** The spread is at least this share of the earlier level: how much a day honestly differs from another (default 0.04). */
  relativeSpreadFloor?: number;
  /** Hours after a deploy that are compared with the day before it (default 24). */
  sinceDeployHours?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_TREND_OPTIONS: Required<TrendOptions> = {
  minimumEffectSize: 3,
  minimumRelativeChange: 0.1,
  minimumSustainedShare: 0.75,
  minimumCoverage: 0.75,
  minimumHours: 3,
  relativeSpreadFloor: 0.04,
  sinceDeployHours: 24,
};

/**
 * The smallest spread per signal, in its unit: below these a change is too small to matter to
 * anyone however steady the series (half a percentage point of errors, 10 ms of latency, one
 * restart in three hours: with effect size 3, a restart an hour).
 */
const MINIMUM_SPREAD: Readonly<Record<Signal, number>> = {
  cpu: 0.02,
  memory: 16 * 1024 * 1024,
  request_rate: 0.5,
  error_rate: 0.005,
  latency_p95: 0.01,
  restarts: 1 / 180,
};

/** Sparse event counts: mostly zero, so a median would hide them; their level is the mean. */
const EVENT_SIGNALS: readonly Signal[] = ['restarts'];

/** Last 24 h against the same 24 h a week earlier: the comparison a week of history allows. */
export function weekOverWeek(now: number): TrendComparison {
  return shifted('week-over-week', { start: now - DAY, end: now }, 7 * DAY);
}

/** Last 6 h against the same 6 h the day before: the fallback for a history shorter than 8 days. */
export function dayOverDay(now: number): TrendComparison {
  return shifted('day-over-day', { start: now - 6 * HOUR, end: now }, DAY);
}

/** The hours since a deploy (up to `hours`) against the same hours of the day before it. */
export function sinceDeploy(deployedAt: number, now: number, hours: number = DEFAULT_TREND_OPTIONS.sinceDeployHours): TrendComparison {
  return shifted('since-deploy', { start: deployedAt, end: Math.min(now, deployedAt + hours * HOUR) }, DAY);
}

function shifted(kind: TrendComparisonKind, after: TimeWindow, lag: number): TrendComparison {
  return { kind, after, before: { start: after.start - lag, end: after.end - lag } };
}

/**
 * Every sustained change in these series, largest first. Each series is compared week over week,
 * or day over day when the week-old window has too little data, and since its service's deploy
 * when there is one; pure: the windows come from `now` and `deployedAt`, nothing reads a clock.
 */
export function findTrends(request: TrendRequest, options: TrendOptions = {}): TrendReport {
  const settings = { ...DEFAULT_TREND_OPTIONS, ...options };
  const found: Trend[] = [];
  const compared = new Grouped<ComparisonMade>();
  const skipped = new Grouped<ComparisonSkipped>();
  const record = ({ service, signal }: TrendSeries, comparison: TrendComparison, measured: Measured) => {
    if ('missing' in measured) {
      skipped.add(`${service}\0${comparison.kind}\0${measured.missing}`, { service, kind: comparison.kind, signals: [], reason: measured.missing }).signals.push(signal);
      return;
    }
    compared.add(`${service}\0${comparison.kind}`, { service, comparison, signals: [] }).signals.push(signal);
    if (measured.trend) found.push(measured.trend);
  };
  for (const series of request.series) {
    const weekly = weekOverWeek(request.now);
    const weeklyMeasured = measureTrend(series, weekly, settings);
    if ('missing' in weeklyMeasured) {
      const daily = dayOverDay(request.now);
      record(series, daily, measureTrend(series, daily, settings));
    } else {
      record(series, weekly, weeklyMeasured);
    }
    const deployedAt = request.deployedAt?.[series.service];
    if (deployedAt === undefined) continue;
    const afterDeploy = sinceDeploy(deployedAt, request.now, settings.sinceDeployHours);
    const tooRecent = afterDeploy.after.end - afterDeploy.after.start < settings.minimumHours * HOUR;
    record(series, afterDeploy, tooRecent ? { missing: `deployed less than ${settings.minimumHours} h ago` } : measureTrend(series, afterDeploy, settings));
  }
  return { trends: largestPerSeries(found).sort(byLargest), compared: compared.values(), skipped: skipped.values() };
}

/** What one comparison of one series gives: a trend, nothing worth saying, or why it could not be made. */
export type Measured = { trend?: Trend } | { missing: string };

/** A series' change over one comparison, a trend when it is large, sure and lasting; `missing` when the windows hold too little data. */
export function measureTrend(series: TrendSeries, comparison: TrendComparison, options: TrendOptions = {}): Measured {
  const settings = { ...DEFAULT_TREND_OPTIONS, ...options };
  const { service, signal } = series;
  const level = EVENT_SIGNALS.includes(signal) ? finiteMean : finiteMedian;
  const { before, after } = hourlyBuckets(series.samples, comparison);
  const hours = before.length;
  const paired: number[] = [];
  for (let hour = 0; hour < hours; hour += 1) if (before[hour]!.length > 0 && after[hour]!.length > 0) paired.push(hour);
  const needed = Math.max(settings.minimumHours, settings.minimumCoverage * hours);
  if (paired.length < needed) {
    const recentMissing = after.filter((values) => values.length > 0).length < needed;
    return { missing: missingReason(comparison, recentMissing) };
  }
  const beforeValues = paired.flatMap((hour) => before[hour]!);
  const afterValues = paired.flatMap((hour) => after[hour]!);
  const beforeLevel = level(beforeValues);
  const afterLevel = level(afterValues);
  const difference = afterLevel - beforeLevel;
  const rising = difference > 0;
  const spread = Math.max(withinHourSpread(paired.map((hour) => before[hour]!)), settings.relativeSpreadFloor * Math.abs(beforeLevel), MINIMUM_SPREAD[signal]);
  const effectSize = Math.abs(difference) / spread;
  const relativeChange = beforeLevel !== 0 ? difference / Math.abs(beforeLevel) : undefined;
  let sustainedHours = 0;
  for (const hour of paired) {
    const hourly = level(after[hour]!) - level(before[hour]!);
    if (rising ? hourly > 0 : hourly < 0) sustainedHours += 1;
  }
  const isTrend =
    difference !== 0 &&
    effectSize >= settings.minimumEffectSize &&
    (relativeChange === undefined || Math.abs(relativeChange) >= settings.minimumRelativeChange) &&
    sustainedHours >= settings.minimumSustainedShare * paired.length;
  if (!isTrend) return {};
  return {
    trend: {
      service,
      signal,
      comparison,
      before: beforeLevel,
      after: afterLevel,
      ...(relativeChange !== undefined ? { relativeChange } : {}),
      effectSize,
      rising,
      direction: signal === 'request_rate' ? 'traffic' : rising ? 'worse' : 'better',
      sustainedHours,
      comparedHours: paired.length,
    },
  };
}

function missingReason(comparison: TrendComparison, recentMissing: boolean): string {
  const hours = Math.round((comparison.after.end - comparison.after.start) / HOUR);
  if (comparison.kind === 'since-deploy') return recentMissing ? 'too little data since the deploy' : 'too little data the day before the deploy';
  if (recentMissing) return `too little data in the last ${hours} h`;
  return comparison.kind === 'week-over-week' ? 'less than 8 days of history' : 'less than 30 h of history';
}

/** The finite values of each hour of both windows; hour i of one is the same time of day as hour i of the other. */
function hourlyBuckets(samples: readonly Sample[], comparison: TrendComparison): { before: number[][]; after: number[][] } {
  const hours = Math.max(0, Math.ceil((comparison.after.end - comparison.after.start) / HOUR));
  const before = Array.from({ length: hours }, (): number[] => []);
  const after = Array.from({ length: hours }, (): number[] => []);
  const place = (buckets: number[][], window: TimeWindow, sample: Sample) => {
    if (sample.timestamp <= window.start || sample.timestamp > window.end) return;
    buckets[Math.min(hours - 1, Math.ceil((sample.timestamp - window.start) / HOUR) - 1)]!.push(sample.value);
  };
  for (const sample of samples) {
    if (!Number.isFinite(sample.value)) continue;
    place(before, comparison.before, sample);
    place(after, comparison.after, sample);
  }
  return { before, after };
}

/**
 * The usual noise: 1.4826 × the median absolute deviation of each value from its own hour's
 * median, pooled over the hours. Measured within hours so that the daily cycle, which moves the
 * level from hour to hour, is not mistaken for noise.
 */
function withinHourSpread(hours: readonly number[][]): number {
  const deviations: number[] = [];
  for (const values of hours) {
    const centre = finiteMedian(values);
    for (const value of values) deviations.push(Math.abs(value - centre));
  }
  const spread = 1.4826 * finiteMedian(deviations);
  return Number.isFinite(spread) ? spread : 0;
}

/** One trend per service and signal: when week over week and since-deploy both see it, the larger says it. */
function largestPerSeries(trends: readonly Trend[]): Trend[] {
  const kept = new Map<string, Trend>();
  for (const trend of trends) {
    const key = `${trend.service}\0${trend.signal}`;
    const held = kept.get(key);
    if (!held || byLargest(trend, held) < 0) kept.set(key, trend);
  }
  return [...kept.values()];
}

function byLargest(left: Trend, right: Trend): number {
  return (
    right.effectSize - left.effectSize ||
    Math.abs(right.relativeChange ?? Number.POSITIVE_INFINITY) - Math.abs(left.relativeChange ?? Number.POSITIVE_INFINITY) ||
    left.service.localeCompare(right.service) ||
    left.signal.localeCompare(right.signal) ||
    left.comparison.kind.localeCompare(right.comparison.kind)
  );
}

/** Records grouped by a key, in the order their keys were first seen. */
class Grouped<Value> {
  private readonly entries = new Map<string, Value>();

  add(key: string, fresh: Value): Value {
    const held = this.entries.get(key);
    if (held) return held;
    this.entries.set(key, fresh);
    return fresh;
  }

  values(): Value[] {
    return [...this.entries.values()];
  }
}
