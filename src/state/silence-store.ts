import type { Redis } from 'ioredis';

export interface Silence {
  /** A catalogued service name, or an anomaly/incident id. */
  target: string;
  /** Milliseconds since the epoch. */
  until: number;
  /** The Slack user who asked, e.g. U012ABC. */
  by: string;
  createdAt: number;
}

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
    await this.redis.set(this.key(silence.target), JSON.stringify(silence), 'PX', Math.max(1, silence.until - now));
  }

  /** Which of the targets a silence covers at `now`, read in one round trip. */
  async covered(targets: readonly string[], now: number): Promise<Set<string>> {
    if (targets.length === 0) return new Set();
    const texts = await this.redis.mget(targets.map((target) => this.key(target)));
    return new Set(targets.filter((_, index) => texts[index] !== null && (JSON.parse(texts[index]!) as Silence).until > now));
  }

  /** The silence covering the target at `now`, if any. */
  async active(target: string, now: number): Promise<Silence | undefined> {
    const text = await this.redis.get(this.key(target));
    if (text === null) return undefined;
    const silence = JSON.parse(text) as Silence;
    return silence.until > now ? silence : undefined;
  }
}
