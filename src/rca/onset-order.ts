import { formatTime } from './evidence-text.js';
import type { ResolvedRankOptions } from './rank-options.js';
import type { RootCauseEvidence } from './root-cause-input.js';

/**
 * Faults show first where they start and reach callers later, so the service that moved first
 * gets onsetBonus and one that moved a whole anomalous window later gets nothing, linearly between.
 * Only a hint: sampling and scrape delays blur onsets by a step or two.
 *
 * @param onsets each service's earliest onset (services that never crossed the threshold are absent)
 * @param windowLength the anomalous window's length in ms
 */
export function onsetEvidence(onsets: ReadonlyMap<string, number>, windowLength: number, options: ResolvedRankOptions): Map<string, RootCauseEvidence> {
  const evidence = new Map<string, RootCauseEvidence>();
  if (onsets.size === 0 || options.onsetBonus <= 0) return evidence;
  const earliest = Math.min(...onsets.values());
  for (const [service, onset] of onsets) {
    const lateness = windowLength > 0 ? (onset - earliest) / windowLength : 0;
    const weight = options.onsetBonus * Math.max(0, 1 - lateness);
    if (weight <= 0) continue;
    const when = onset === earliest ? 'among the first to move' : `moved ${Math.round((onset - earliest) / 1000)} s after the first`;
    evidence.set(service, { kind: 'metric', summary: `${when}, at ${formatTime(onset)}`, weight, at: onset });
  }
  return evidence;
}
