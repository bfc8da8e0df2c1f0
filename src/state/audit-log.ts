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

  /** Up to `count` entries after the stream id `cursor` (from the start: `0`), oldest first, with their ids: what the history copies. */
  async after(cursor: string, count: number): Promise<Array<{ id: string; entry: AuditEntry }>> {
    const rows = await this.redis.xrange(this.key, cursor === '0' ? '-' : `(${cursor}`, '+', 'COUNT', count);
    return rows.map(([id, fields]) => ({ id, entry: JSON.parse(fields[fields.indexOf('entry') + 1]!) as AuditEntry }));
  }

  /** The newest `count` entries, newest first. */
  async recent(count: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return rows.map(([, fields]) => JSON.parse(fields[fields.indexOf('entry') + 1]!) as AuditEntry);
  }
}
