import type { Redis } from 'ioredis';

export interface AuditEntry {
  /** Milliseconds since the epoch. */
  at: number;
  /** Who did it: a Slack user id, or `aiops` for the bot itself. */
  actor: string;
  /** What was done, e.g. `silence`, `scale`, `rollback`. */
  action: string;
  /** What it was done to, e.g. a service. */
  target: string;
  /** One line of detail for people. */
  detail: string;
}

/** The audit trail: an append-only Redis stream, capped so it cannot grow without bound. */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Entries kept, approximately (default 10,000). */
    private readonly maximumEntries = 10_000,
  ) {}

  private get key(): string {
    return `${this.prefix}audit`;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', this.maximumEntries, '*', 'entry', JSON.stringify(entry));
  }

  /** The newest `count` entries, newest first. */
  async recent(count: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return rows.map(([, fields]) => JSON.parse(fields[fields.indexOf('entry') + 1]!) as AuditEntry);
  }
}
