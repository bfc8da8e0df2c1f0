import type { Redis } from 'ioredis';

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
 * Wakes the process talking to Slack: these incidents have marks waiting in the outbox. The
 * incident store marks its changes in the transaction that writes them and calls this once it
 * committed; the notifier also reads the outbox every second, so a lost wake-up only delays.
 */
export async function announceIncidentsDue(redis: Redis, prefix: string, incidentIds: readonly string[]): Promise<void> {
  if (incidentIds.length > 0) await redis.publish(incidentChangedChannel(prefix), JSON.stringify(incidentIds));
}
