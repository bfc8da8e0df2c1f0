import type { Redis } from 'ioredis';
import type { Silence } from '../alerts/suppression.js';

export type { Silence } from '../alerts/suppression.js';

/** Silences by target; each expires by itself in Redis when it ends. */
export class SilenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(target: string): string {
    return `${this.prefix}silence:${target}`;
  }

  async add(silence: Silence, now: number): Promise<void> {
    await this.addAll([silence], now);
  }

  /** Several at once, e.g. everything an incident's silence covers (see silenceTargetsForIncident). */
  async addAll(silences: readonly Silence[], now: number): Promise<void> {
    if (silences.length === 0) return;
    const pipeline = this.redis.multi();
    for (const silence of silences) pipeline.set(this.key(silence.target), JSON.stringify(silence), 'PX', Math.max(1, silence.until - now));
    await pipeline.exec();
  }

  /** Ends the silences on these targets now (`/aiops unsilence`); what they held is released by the caller. */
  async removeAll(targets: readonly string[]): Promise<void> {
    if (targets.length === 0) return;
    await this.redis.del(...targets.map((target) => this.key(target)));
  }

  /** The silences active at `now` among the targets, by target, read in one round trip. */
  async activeFor(targets: readonly string[], now: number): Promise<Map<string, Silence>> {
    const unique = [...new Set(targets)];
    if (unique.length === 0) return new Map();
    const texts = await this.redis.mget(unique.map((target) => this.key(target)));
    const active = new Map<string, Silence>();
    unique.forEach((target, index) => {
      const text = texts[index];
      if (text === null || text === undefined) return;
      const silence = JSON.parse(text) as Silence;
      if (silence.until > now) active.set(target, silence);
    });
    return active;
  }

  /** Which of the targets a silence covers at `now`, read in one round trip. */
  async covered(targets: readonly string[], now: number): Promise<Set<string>> {
    return new Set((await this.activeFor(targets, now)).keys());
  }
}
