import type { Redis } from 'ioredis';

/** Kept as long as an incident's message reference: a month. */
const TTL_SECONDS = 30 * 24 * 60 * 60;

/** Which escalation rules have fired for each incident, so each one calls people once. */
export class IncidentEscalations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(incidentId: string): string {
    return `${this.prefix}incident:${incidentId}:escalations`;
  }

  /** Records a rule as fired; true for the first time only, across every process. */
  async record(incidentId: string, rule: string): Promise<boolean> {
    const [[, added]] = (await this.redis.multi().sadd(this.key(incidentId), rule).expire(this.key(incidentId), TTL_SECONDS).exec()) as [[Error | null, number]];
    return added === 1;
  }

  async fired(incidentId: string): Promise<string[]> {
    return (await this.redis.smembers(this.key(incidentId))).sort();
  }

  /** The rules fired for each of these incidents, in one round trip. */
  async firedFor(incidentIds: readonly string[]): Promise<Map<string, string[]>> {
    if (incidentIds.length === 0) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of incidentIds) pipeline.smembers(this.key(id));
    const replies = (await pipeline.exec()) ?? [];
    return new Map(
      incidentIds.map((id, index) => {
        const [error, members] = replies[index] ?? [new Error('no reply')];
        if (error) throw error;
        return [id, (members as string[]).sort()];
      }),
    );
  }
}
