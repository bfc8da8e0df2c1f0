import type { ChainableCommander, Redis } from 'ioredis';

export interface Acknowledgement {
  /** Slack user id. */
  by: string;
  /** Milliseconds since the epoch. */
  at: number;
}

/** Who took an incident on. Kept apart from the correlation state, which only alerts change. */
export class IncidentAcknowledgements {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}incident-acknowledgements`;
  }

  /** Records the first acknowledgement only; returns whether this one was it. */
  async acknowledge(incidentId: string, acknowledgement: Acknowledgement): Promise<boolean> {
    return (await this.redis.hsetnx(this.key, incidentId, JSON.stringify(acknowledgement))) === 1;
  }

  async get(incidentId: string): Promise<Acknowledgement | undefined> {
    const text = await this.redis.hget(this.key, incidentId);
    return text === null ? undefined : (JSON.parse(text) as Acknowledgement);
  }

  /** Every acknowledgement kept, by incident id, in one read. */
  async all(): Promise<Map<string, Acknowledgement>> {
    return new Map(Object.entries(await this.redis.hgetall(this.key)).map(([id, text]) => [id, JSON.parse(text) as Acknowledgement]));
  }

  /** The incidents someone took on, of those still kept. */
  async acknowledgedIds(): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.key));
  }

  /** Forgets pruned incidents' acknowledgements in the transaction that prunes them, so the hash stays as small as the incidents kept. */
  queueForget(commands: ChainableCommander, incidentIds: readonly string[]): void {
    if (incidentIds.length > 0) commands.hdel(this.key, ...incidentIds);
  }
}
