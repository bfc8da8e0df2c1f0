import type { ChangeEvent } from '../alerts/change-event.js';
import type { RecentChange } from './recent-changes.js';

/** A change event this close to a rollout of the same version is that rollout, reported by the pipeline that made it. */
const SAME_ROLLOUT_MILLISECONDS = 60_000;
/** Shorter versions must match whole: "1" is no abbreviation of "1.4.2", while "3f9a12c" is one of a full SHA. */
const SHORTEST_ABBREVIATION = 7;

/**
 * The cluster's changes and CI/CD's change events as one list, newest first. A deploy or rollback
 * event that reports a rollout the cluster shows (same service and version, within a minute) is
 * left out: the cluster's line already says "2.4.0 → 2.5.0", which advice reads. Every other event
 * stands beside the cluster's changes, configuration changes and feature flags above all, which
 * the cluster never sees.
 */
export function withChangeEvents(clusterChanges: readonly RecentChange[], events: readonly ChangeEvent[]): RecentChange[] {
  const fromEvents = events
    .filter((event) => !clusterChanges.some((change) => sameRollout(change, event)))
    .map((event): RecentChange => ({
      service: event.service,
      kind: event.kind,
      description: describeEvent(event),
      at: event.at,
      origin: event.origin,
      ...(event.version ? { version: event.version } : {}),
    }));
  return [...clusterChanges, ...fromEvents].sort((left, right) => right.at - left.at);
}

function sameRollout(change: RecentChange, event: ChangeEvent): boolean {
  if (change.origin !== undefined || change.service !== event.service) return false;
  if (event.kind !== 'deploy' && event.kind !== 'rollback') return false;
  if (!['deploy', 'rollback', 'restart'].includes(change.kind)) return false;
  if (Math.abs(change.at - event.at) > SAME_ROLLOUT_MILLISECONDS) return false;
  return change.version !== undefined && event.version !== undefined && sameVersion(change.version, event.version);
}

/** "v2.5.0" is "2.5.0"; an abbreviated SHA is the full one; an image tag "2.5.0-3f9a12c" carries the commit "3f9a12c". */
function sameVersion(left: string, right: string): boolean {
  const [shorter, longer] = [normalise(left), normalise(right)].sort((one, other) => one.length - other.length) as [string, string];
  return shorter === longer || (shorter.length >= SHORTEST_ABBREVIATION && longer.includes(shorter));
}

function normalise(version: string): string {
  return version.trim().toLowerCase().replace(/^v(?=\d)/, '');
}

/** "payment 2.5.0: new card-token flow (by alice)": the service first, as the cluster's lines are, so renderers bold it. */
function describeEvent(event: ChangeEvent): string {
  const head = event.description.startsWith(`${event.service} `) ? event.description : `${event.service}${event.version ? ` ${event.version}` : ''}: ${event.description}`;
  return event.author ? `${head} (by ${event.author})` : head;
}
