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

/** What a subscriber hears: state shown in Slack changed, or incidents have changes waiting in the outbox. */
export type StateChange = 'state' | 'incidents';

export interface Subscription {
  close(): void;
}

/**
 * The announcements every process makes and the process talking to Slack listens to, on two
 * Redis channels under the prefix: `state-changed` (anomalies, silences: App Home is redrawn) and
 * `incident-changed` (the outbox has incidents due: it is drained at once).
 */
export class StateChanges {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Tells the process talking to Slack that state it shows changed; `what` names it, for whoever reads the channel. */
  announce(what: string): Promise<void> {
    return announceStateChanged(this.redis, this.prefix, what);
  }

  /** Listens on a connection of its own (a subscribed connection can send nothing else) until closed. */
  async subscribe(listener: (change: StateChange) => void): Promise<Subscription> {
    const subscriber = this.redis.duplicate();
    // Its outages are the state connection's, reported there; ioredis would print each reconnection attempt.
    subscriber.on('error', () => undefined);
    const incidents = incidentChangedChannel(this.prefix);
    subscriber.on('message', (channel: string) => listener(channel === incidents ? 'incidents' : 'state'));
    try {
      await subscriber.subscribe(stateChangedChannel(this.prefix), incidents);
    } catch (error) {
      subscriber.disconnect();
      throw error;
    }
    return { close: () => subscriber.disconnect() };
  }
}
