import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import type { AnomalyDetector, DetectorState } from '../detection/detector.js';
import { recoveryHoldMilliseconds, stillGoing } from '../detection/ongoing-anomaly.js';
import { largeChange, serviceAnomalies, usualBefore, type ScoredSignal } from '../detection/service-anomalies.js';
import { backToBefore } from '../detection/back-to-before.js';
import { outageSpans, withoutSpans } from '../detection/outage-spans.js';
import { median } from '../detection/median.js';
import { anomalyFingerprint } from '../alerts/fingerprint.js';
import type { ActiveAnomalies, FollowedAnomaly } from '../state/active-anomalies.js';
import type { Logger } from '../logger.js';
import type { MetricsSource, TimeRange } from '../sources/metrics.js';
import type { AiopsError } from '../errors.js';
import { SIGNALS, type Sample, type Signal } from '../signals.js';
import type { DetectionStore } from '../state/detection-store.js';
import type { Stores } from '../state/stores.js';
import type { PassSkipReason } from '../telemetry/metrics.js';
import { isSourceOutage, type SourceHealth } from './source-health.js';

/** Where a pass's new anomalies go: the incident use cases in a worker, the anomaly log alone in `aiops ask`. */
export type AnomalySink = (anomaly: Anomaly) => Promise<void>;

export interface DetectionOptions {
  /** Resolution of the signals scored, seconds (default 60). */
  stepSeconds?: number;
  /** History a service's detectors learn from on their first run, minutes (default 1440: a day of seasonality). */
  warmUpMinutes?: number;
  /** How far a worker catches up after an outage before skipping ahead, minutes (default 1440). */
  maximumCatchUpMinutes?: number;
  /** Findings older than this when scored are learnt from but not raised: news, not history (default 15). */
  emitWindowMinutes?: number;
  /** Minutes between saves of the detectors to Redis (default 5); a takeover replays at most this much. */
  checkpointEveryMinutes?: number;
  /**
   * The lease on a service while a pass runs, ms (default 10 000), renewed as the pass goes: a
   * worker that dies keeps the service this long at most, and the next pass catches up from the
   * last saved sample. Short, because every minute it is held is a minute of the service unscored.
   */
  leaseMilliseconds?: number;
  /** The longest one pass may keep renewing its lease, ms (default 60 000, and never less than the lease): a hung pass lets the next one in. */
  leaseHoldMilliseconds?: number;
  /** Steps after a metrics-source outage ended whose samples are still left out, not scored (default 2; see outageSpans). */
  outageSettleSteps?: number;
}

export interface DetectionDependencies {
  metrics: MetricsSource;
  catalogue: Catalogue;
  /** The detectors' memory, the anomalies followed, and the once-only claims and leases. */
  stores: Pick<Stores, 'detection' | 'activeAnomalies' | 'claims'>;
  sink: AnomalySink;
  /** The sources' clock: the simulated world's in a demo, the wall clock in production. */
  now: () => number;
  logger: Logger;
  createDetector: () => AnomalyDetector;
  restoreDetector: (state: DetectorState) => AnomalyDetector;
  /** Score at which a signal counts as anomalous. */
  threshold: number;
  /** This worker's detectors from its last pass per service (see DetectorCache); none: always restore from Redis. */
  cache?: DetectorCache;
  /**
   * Extra findings for the service (multivariate model, exhaustion prediction) from the freshly
   * fetched signals; `firstNew` is the first sample time this pass had not seen before.
   */
  extraFindings?: (service: string, signals: Map<Signal, Sample[]>, now: number, firstNew: number) => Promise<Anomaly[]>;
  options?: DetectionOptions;
  /** An anomaly raised earlier is still going on at `now` (its signals have not recovered). */
  onOngoing?: (anomaly: Anomaly, now: number) => Promise<void>;
  /** An anomaly raised earlier has ended: its signals are back near their baseline. */
  onRecovered?: (anomaly: Anomaly, now: number) => Promise<void>;
  /**
   * Where a pass reports whether it could read `metrics`. Given (the workers), a pass that cannot
   * read it (AIOPS_SOURCE_UNAVAILABLE or AIOPS_SOURCE_TIMEOUT) is skipped rather than failed, and
   * the outage is reported once across every worker; absent (a one-shot pass), the error is thrown.
   */
  sourceHealth?: SourceHealth;
}

/** A worker's detectors for one service after its last pass, valid while the saved revision is `revision`. */
export interface CachedDetectors {
  revision: number;
  lastScored: number;
  /** `lastScored` of the last checkpoint saved to Redis. */
  checkpointScored?: number;
  detectors: Map<Signal, AnomalyDetector>;
}

/** Detectors a worker keeps in memory between passes, by service. */
export type DetectorCache = Map<string, CachedDetectors>;

export interface DetectionRun {
  service: string;
  /** False when the pass was skipped (`skipped` says why). */
  ran: boolean;
  /**
   * Why the pass was skipped, when it was: `busy`, the service's last pass still runs (back-pressure:
   * a slow pass is never joined by a second); `source_unavailable`, its metrics source could not be
   * read. Either way the next pass catches up from the last sample scored.
   */
  skipped?: PassSkipReason;
  samplesScored: number;
  anomaliesEmitted: number;
}

/**
 * Each signal's median over the hour before the service's earliest ongoing anomaly began: how the
 * service was before the incident. Read only while one is ongoing and something new was found.
 */
async function levelsBeforeIncident(ongoing: readonly { anomaly: FollowedAnomaly }[], step: number, read: ReadSignal): Promise<Partial<Record<Signal, number>>> {
  const began = Math.min(...ongoing.map(({ anomaly }) => anomaly.evidence.end));
  // A few minutes' margin: the detectors flag an onset a minute or two after it shows.
  const range = { start: new Date(began - 65 * 60_000), end: new Date(began - 5 * 60_000), stepSeconds: step / 1000 };
  const levels: Partial<Record<Signal, number>> = {};
  await Promise.all(
    SIGNALS.map(async (signal) => {
      const level = median((await read(signal, range)).map((sample) => sample.value));
      if (level !== undefined) levels[signal] = level;
    }),
  );
  return levels;
}

/** The longest an anomaly is followed against its baseline. */
const ONGOING_MAXIMUM_MILLISECONDS = 6 * 3_600_000;

/**
 * One detection pass over one service: fetch what arrived since the last pass, score it with the
 * detectors restored from Redis, raise anomalies, save the detectors. Anomalies are raised before
 * the state is saved and each is claimed once in Redis, so a pass killed half-way is simply run
 * again by another worker without anything raised twice.
 */
export async function detectService(service: string, dependencies: DetectionDependencies): Promise<DetectionRun> {
  const leaseMilliseconds = dependencies.options?.leaseMilliseconds ?? 10_000;
  const holdMilliseconds = Math.max(leaseMilliseconds, dependencies.options?.leaseHoldMilliseconds ?? 60_000);
  const startedAt = dependencies.now();
  try {
    const lease = await dependencies.stores.claims.exclusively('detect', service, leaseMilliseconds, () => detectWithLease(service, dependencies), holdMilliseconds);
    return lease.ran ? lease.result : { service, ran: false, skipped: 'busy', samplesScored: 0, anomaliesEmitted: 0 };
  } catch (error) {
    if (!(error instanceof MetricsUnreadable)) throw error;
    // Nothing was raised or saved: the next pass starts from the same sample, whatever the gap.
    if (!dependencies.sourceHealth) throw error.cause;
    await dependencies.sourceHealth.unreachable(error.cause, startedAt, service);
    return { service, ran: false, skipped: 'source_unavailable', samplesScored: 0, anomaliesEmitted: 0 };
  }
}

/** The metrics source could not be read (an outage, see isSourceOutage): the pass stops where it is. */
class MetricsUnreadable extends Error {
  constructor(override readonly cause: AiopsError) {
    super(cause.message);
  }
}

/** One signal's samples over a range, from the pass's metrics source. */
type ReadSignal = (signal: Signal, range: TimeRange) => Promise<Sample[]>;

async function detectWithLease(service: string, dependencies: DetectionDependencies): Promise<DetectionRun> {
  const options = { stepSeconds: 60, warmUpMinutes: 1440, maximumCatchUpMinutes: 1440, emitWindowMinutes: 15, checkpointEveryMinutes: 5, ...dependencies.options };
  const step = options.stepSeconds * 1000;
  const store = dependencies.stores.detection;
  const start = await startingPoint(service, store, dependencies.cache);
  const end = Math.floor(dependencies.now() / step) * step;
  const earliest = end - options.maximumCatchUpMinutes * 60_000;
  const firstNew = start.lastScored === undefined ? end - options.warmUpMinutes * 60_000 : Math.max(start.lastScored + step, earliest);
  if (firstNew > end) {
    if (start.live) dependencies.cache?.set(service, start.live);
    return { service, ran: true, samplesScored: 0, anomaliesEmitted: 0 };
  }

  const read: ReadSignal = async (signal, range) => {
    try {
      return (await dependencies.metrics.range(service, signal, range)).samples;
    } catch (error) {
      throw isSourceOutage(error) ? new MetricsUnreadable(error) : error;
    }
  };
  // An hour before the new samples gives summaries their "usually".
  const range = { start: new Date(firstNew - 3_600_000), end: new Date(end), stepSeconds: options.stepSeconds };
  const fetched = await Promise.all(SIGNALS.map(async (signal) => [signal, await read(signal, range)] as const)).catch((error: unknown) => {
    // Nothing scored yet: this worker's detectors are as they were, and stay for its next pass.
    if (start.live) dependencies.cache?.set(service, start.live);
    throw error;
  });
  // What an outage of the source left broken around its hole is left out: neither scored nor summarised.
  const outages = (await dependencies.sourceHealth?.reachable(dependencies.now())) ?? [];
  const asFetched = new Map<Signal, Sample[]>(fetched);
  const unreliable = outageSpans(asFetched, outages, { step, start: range.start.getTime(), end, settleSteps: options.outageSettleSteps });
  const signals = withoutSpans(asFetched, unreliable);
  if (unreliable.some((span) => span.to >= firstNew)) {
    dependencies.logger.debug({ service, spans: unreliable.map((span) => ({ from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() })) }, 'detection: samples around a metrics-source outage left out');
  }

  const scored: ScoredSignal[] = [];
  const detectors = new Map<Signal, AnomalyDetector>();
  let samplesScored = 0;
  let newest = start.lastScored ?? firstNew - step;
  for (const [signal, samples] of signals) {
    const saved = start.saved[signal];
    const detector = start.live?.detectors.get(signal) ?? (saved ? dependencies.restoreDetector(saved) : dependencies.createDetector());
    detectors.set(signal, detector);
    const firstFresh = samples.findIndex((sample) => sample.timestamp >= firstNew);
    const fresh = firstFresh < 0 ? [] : samples.slice(firstFresh);
    const scores = fresh.map((sample, index) => {
      const score = detector.update(sample.timestamp, sample.value);
      // A change too small to matter is never raised (materialChange), so it must not spend the
      // detector's hold-off either: a fault whose first minute is still below the floor (or that
      // starts just after a harmless new extreme) would otherwise go unreported for its whole onset.
      // A large change that is not raised only for its direction (a symptom improving) keeps the
      // hold-off: its return to the old level is the fix, not a new fault.
      if (score > 0 && !largeChange(signal, sample.value, usualBefore(samples, firstFresh + index))) detector.dismiss?.();
      return score;
    });
    samplesScored += fresh.length;
    for (const sample of fresh) newest = Math.max(newest, sample.timestamp);
    scored.push({ signal, samples: fresh, scores, history: samples.filter((sample) => sample.timestamp < firstNew) });
  }

  const emitFrom = end - options.emitWindowMinutes * 60_000;
  const active = dependencies.stores.activeAnomalies;
  const ongoing = await active.all(service);
  const found = [
    ...serviceAnomalies(service, scored, { threshold: dependencies.threshold, emitFrom }),
    ...((await dependencies.extraFindings?.(service, signals, end, firstNew)) ?? []),
  ];
  const before = ongoing.length > 0 && found.length > 0 ? await levelsBeforeIncident(ongoing, step, read) : undefined;
  const anomalies = before ? found.filter((anomaly) => !backToBefore(anomaly, signals, before)) : found;
  let anomaliesEmitted = 0;
  for (const anomaly of anomalies) {
    if (!(await dependencies.stores.claims.firstEmission(anomaly.id))) continue;
    // Followed until over: against its baseline, or, for a prediction, while it is made again.
    // Followed before it is raised: a worker that dies between the two leaves it claimed, so the
    // pass run again skips it, and only the following (reported ongoing, so its alert fires) remains.
    if (anomaly.kind === 'predictive' || (anomaly.baseline && Object.keys(anomaly.baseline).length > 0)) await active.add(anomaly, anomalyFingerprint(anomaly));
    await dependencies.sink(anomaly);
    anomaliesEmitted += 1;
  }
  // A prediction is raised once per id (severity and hour), but made afresh every pass it holds.
  const predictions = new Map(anomalies.filter((anomaly) => anomaly.kind === 'predictive').map((anomaly) => [anomalyFingerprint(anomaly), anomaly]));
  await followOngoing(service, ongoing, signals, predictions, end, active, dependencies);

  // A checkpoint every few minutes, not every pass: a worker that takes over replays the minutes
  // since the last one, the detectors are deterministic, and the once-only claims above keep the
  // replay from raising anything twice.
  let revision = start.revision;
  let checkpointScored = start.checkpointScored;
  if (checkpointScored === undefined || newest - checkpointScored >= options.checkpointEveryMinutes * 60_000) {
    const states: Partial<Record<Signal, DetectorState>> = {};
    for (const [signal, detector] of detectors) states[signal] = detector.snapshot();
    revision = await store.save(service, { lastScored: newest, detectors: states });
    checkpointScored = newest;
  }
  dependencies.cache?.set(service, { revision, lastScored: newest, checkpointScored, detectors });
  dependencies.logger.debug({ service, samplesScored, anomaliesEmitted }, 'detection pass');
  return { service, ran: true, samplesScored, anomaliesEmitted };
}

/**
 * Anomalies raised earlier are followed every pass (see stillGoing): while they go on they are
 * reported as ongoing, and once they have stopped for their hold, as recovered. The reports go
 * out together at the end: the incident store commits calls made at once in one transaction, and
 * a service in a storm follows several anomalies, so one after another each waited for its own
 * (one transaction per anomaly per minute, each reading every incident).
 */
async function followOngoing(
  service: string,
  ongoing: Array<{ fingerprint: string; anomaly: FollowedAnomaly }>,
  signals: Map<Signal, Sample[]>,
  predictions: Map<string, Anomaly>,
  now: number,
  active: ActiveAnomalies,
  dependencies: DetectionDependencies,
): Promise<void> {
  const latest = (signal: Signal) => [...(signals.get(signal) ?? [])].reverse().find((sample) => Number.isFinite(sample.value))?.value;
  const reports: Array<() => Promise<void> | undefined> = [];
  const report = (anomaly: Anomaly, still: boolean) => reports.push(() => (still ? dependencies.onOngoing?.(anomaly, now) : dependencies.onRecovered?.(anomaly, now)));
  for (const { fingerprint, anomaly: followed } of ongoing) {
    const predicted = predictions.get(fingerprint);
    // The prediction made this pass replaces the one raised: its time left and detection time are current.
    const anomaly: FollowedAnomaly = predicted ? { ...predicted, recoveringSince: followed.recoveringSince } : followed;
    // A baseline goes stale as the day turns; after this long, only a fresh detection keeps it going.
    const fresh = now - anomaly.detectedAt <= ONGOING_MAXIMUM_MILLISECONDS;
    const still = fresh && stillGoing(anomaly, latest, predicted !== undefined);
    if (still || !fresh) {
      if (still && (predicted || anomaly.recoveringSince !== undefined)) await active.add({ ...anomaly, recoveringSince: undefined }, fingerprint);
      if (!still) await active.remove(service, fingerprint);
      report(anomaly, still);
      continue;
    }
    // Stopped, but only what stays stopped for a while is over. Meanwhile the alert is kept firing.
    const since = anomaly.recoveringSince ?? now;
    if (now - since >= recoveryHoldMilliseconds(anomaly)) {
      await active.remove(service, fingerprint);
      report(anomaly, false);
    } else {
      if (anomaly.recoveringSince === undefined) await active.add({ ...anomaly, recoveringSince: since }, fingerprint);
      report(anomaly, true);
    }
  }
  await Promise.all(reports.map((send) => send()));
}

interface StartingPoint {
  lastScored?: number;
  revision: number;
  checkpointScored?: number;
  /** Detectors this worker still holds from its own last pass, when nobody has saved since. */
  live?: CachedDetectors;
  /** Saved states, when the detectors must be restored. */
  saved: Partial<Record<Signal, DetectorState>>;
}

/**
 * Restoring detectors from JSON costs more than scoring a minute: a worker that scored this
 * service last keeps them, and the saved revision says whether another worker has checkpointed
 * since (then its state wins).
 */
async function startingPoint(service: string, store: DetectionStore, cache: DetectorCache | undefined): Promise<StartingPoint> {
  const cached = cache?.get(service);
  // The cached detectors are about to change in place: only a finished pass may put them back.
  cache?.delete(service);
  if (cached && cached.revision === (await store.revision(service))) {
    return { lastScored: cached.lastScored, revision: cached.revision, checkpointScored: cached.checkpointScored, live: cached, saved: {} };
  }
  const loaded = await store.load(service);
  return { lastScored: loaded.lastScored, revision: loaded.revision, checkpointScored: loaded.lastScored, saved: loaded.detectors };
}
