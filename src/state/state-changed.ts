import type { Redis } from 'ioredis';

/** The Redis channel on which any process announces that state shown in Slack (anomalies, silences) changed. */
export function stateChangedChannel(prefix: string): string {
  return `${prefix}state-changed`;
}

export async function announceStateChanged(redis: Redis, prefix: string, what: string): Promise<void> {
  await redis.publish(stateChangedChannel(prefix), what);
}

/** The Redis channel carrying incident changes (JSON) from whichever process ingested them to the one talking to Slack. */
export function incidentChangedChannel(prefix: string): string {
  return `${prefix}incident-changed`;
}
