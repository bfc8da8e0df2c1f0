import type { Redis } from 'ioredis';
import type { IncidentChange } from '../alerts/correlate.js';
import { IncidentOutbox } from './incident-outbox.js';

/** The Redis channel on which any process announces that state shown in Slack (anomalies, silences) changed. */
export function stateChangedChannel(prefix: string): string {
  return `${prefix}state-changed`;
}

export async function announceStateChanged(redis: Redis, prefix: string, what: string): Promise<void> {
  await redis.publish(stateChangedChannel(prefix), what);
}

/** The Redis channel telling the process talking to Slack that incidents (a JSON array of ids) have changes waiting in the outbox. */
export function incidentChangedChannel(prefix: string): string {
  return `${prefix}incident-changed`;
}

/**
 * Hands incident changes to Slack: queued durably in the outbox first (the process talking to
 * Slack may be down, or Slack may be), then announced so that process drains the outbox now
 * rather than at its next tick.
 */
export async function announceIncidentChanges(redis: Redis, prefix: string, changes: readonly IncidentChange[]): Promise<void> {
  await new IncidentOutbox(redis, prefix).enqueue(changes, Date.now());
  const ids = [...new Set(changes.flatMap((change) => (change.incidentId === undefined || change.kind === 'duplicate' || change.kind === 'ignored' ? [] : [change.incidentId])))];
  if (ids.length > 0) await redis.publish(incidentChangedChannel(prefix), JSON.stringify(ids));
}

/** One change, e.g. a resolution by hand. */
export async function announceIncidentChange(redis: Redis, prefix: string, change: IncidentChange): Promise<void> {
  await announceIncidentChanges(redis, prefix, [change]);
}
