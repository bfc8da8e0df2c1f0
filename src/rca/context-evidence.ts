import { formatTime } from './evidence-text.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { ChangeContext, EventContext, LogContext, RootCauseEvidence } from './root-cause-input.js';

/** The incident's span, in ms. */
export interface ContextWindow {
  anomalyStart: number;
  anomalyEnd: number;
}

/** What a change is worth when it lands right at the start: deploys and config edits cause most incidents. */
const CHANGE_WEIGHT: Record<ChangeContext['kind'], number> = { deploy: 1.5, config: 1.5, rollback: 1, restart: 0.5, scale: 0.5 };

/** Kubernetes reasons that say the service itself is failing, not merely slow. Others count a little. */
const EVENT_WEIGHT: Array<{ reason: RegExp; weight: number }> = [
  { reason: /^OOMKill/i, weight: 1.5 },
  { reason: /CrashLoopBackOff|^BackOff$/i, weight: 1.2 },
  { reason: /^(FailedScheduling|Evicted|FailedMount|FailedCreatePodSandBox)$/i, weight: 0.8 },
  { reason: /^(Unhealthy|ProbeWarning|Killing)$/i, weight: 0.6 },
];
const OTHER_EVENT_WEIGHT = 0.2;

/**
 * How much a context item counts by when it happened: fully from the lookback's second half through
 * the start, half as much at the lookback's edge, nothing outside. During the incident it counts
 * `during`: a change then may be a reaction (a restart, a rollback), while an OOM kill or a new error
 * template then is the fault showing itself.
 */
function timeFactor(at: number, window: ContextWindow, options: ResolvedRankOptions, during: number): number {
  if (at > window.anomalyEnd || at < window.anomalyStart - options.contextLookbackMs) return 0;
  if (at > window.anomalyStart) return during;
  const before = window.anomalyStart - at;
  return before <= options.contextLookbackMs / 2 ? 1 : 1 - before / options.contextLookbackMs + 0.5;
}

function minutesBefore(at: number, window: ContextWindow): string {
  const minutes = Math.round((window.anomalyStart - at) / 60_000);
  if (minutes > 0) return `${minutes} min before the anomaly`;
  return minutes < 0 ? `${-minutes} min into the anomaly` : 'at the anomaly start';
}

export function changeEvidence(change: ChangeContext, window: ContextWindow, options: ResolvedRankOptions): RootCauseEvidence | undefined {
  const weight = CHANGE_WEIGHT[change.kind] * timeFactor(change.at, window, options, 0.5);
  if (weight <= 0) return undefined;
  return { kind: 'change', summary: `${change.kind} at ${formatTime(change.at)}, ${minutesBefore(change.at, window)}: ${change.description}`, weight, at: change.at };
}

export function eventEvidence(event: EventContext, window: ContextWindow, options: ResolvedRankOptions): RootCauseEvidence | undefined {
  const reasonWeight = EVENT_WEIGHT.find((entry) => entry.reason.test(event.reason))?.weight ?? OTHER_EVENT_WEIGHT;
  // Repeats strengthen an event a little: ten OOM kills are surer than one, not ten times surer.
  const repeats = 1 + 0.25 * Math.log10(Math.max(1, event.count));
  const weight = reasonWeight * repeats * timeFactor(event.at, window, options, 1);
  if (weight <= 0) return undefined;
  const times = event.count > 1 ? ` ×${event.count}` : '';
  return { kind: 'event', summary: `${event.reason}${times} at ${formatTime(event.at)}: ${event.message}`, weight, at: event.at };
}

/** Logs count only from the lookback on; a new error template weighs most. */
export function logEvidence(log: LogContext, window: ContextWindow, options: ResolvedRankOptions): RootCauseEvidence | undefined {
  const kindWeight = log.kind === 'new-template' ? 0.5 : log.kind === 'burst' ? 0.3 : 0.4;
  const weight = kindWeight * (log.error ? 1.6 : 1) * timeFactor(log.at, window, options, 1);
  if (weight <= 0) return undefined;
  const what = log.kind === 'new-template' ? 'new log template' : log.kind === 'burst' ? 'log burst' : 'errors with the anomaly';
  return { kind: 'log', summary: `${what}${log.error ? ' (error)' : ''} ×${log.count} from ${formatTime(log.at)}: ${log.template}`, weight, at: log.at };
}

/**
 * All context for one service, strongest first. Each Kubernetes reason counts once (its strongest
 * occurrence) so a stream of the same event does not drown the metrics; logs together add at most
 * logCap.
 */
export function serviceContextEvidence(
  context: { changes: readonly ChangeContext[]; events: readonly EventContext[]; logs: readonly LogContext[] },
  window: ContextWindow,
  options: ResolvedRankOptions,
): RootCauseEvidence[] {
  const changes = context.changes.map((change) => changeEvidence(change, window, options));
  const strongestPerReason = new Map<string, RootCauseEvidence>();
  for (const event of context.events) {
    const evidence = eventEvidence(event, window, options);
    const reason = event.reason.toLowerCase();
    if (evidence && evidence.weight > (strongestPerReason.get(reason)?.weight ?? 0)) strongestPerReason.set(reason, evidence);
  }
  const logs = context.logs
    .map((log) => logEvidence(log, window, options))
    .filter((evidence): evidence is RootCauseEvidence => evidence !== undefined)
    .sort((left, right) => right.weight - left.weight);
  let logBudget = options.logCap;
  const cappedLogs = logs.map((evidence) => {
    const weight = Math.min(evidence.weight, logBudget);
    logBudget -= weight;
    return { ...evidence, weight };
  });
  return [...changes.filter((evidence): evidence is RootCauseEvidence => evidence !== undefined), ...strongestPerReason.values(), ...cappedLogs].sort(
    (left, right) => right.weight - left.weight,
  );
}
