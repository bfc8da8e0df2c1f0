import type { Redis } from 'ioredis';
import type { LogFinding } from '../logs/log-anomalies.js';

/**
 * Recent log findings (new templates, bursts, errors with a metric anomaly) per service, as
 * evidence for incidents, answers and the root-cause engine. A sorted set per service by bucket
 * start holds the findings' JSON; entries older than the retention are trimmed on write.
 */
export class LogFindingLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long findings are kept, ms (default 24 h). */
    private readonly retentionMilliseconds = 86_400_000,
  ) {}

  private key(service: string): string {
    return `${this.prefix}log-findings:${service}`;
  }

  async record(finding: LogFinding): Promise<void> {
    const key = this.key(finding.service);
    await this.redis
      .multi()
      .zadd(key, finding.bucketStart, JSON.stringify(finding))
      .zremrangebyscore(key, '-inf', `(${finding.bucketStart - this.retentionMilliseconds}`)
      .exec();
  }

  /** The service's findings whose bucket starts at or after `since`, newest first. */
  async since(service: string, since: number): Promise<LogFinding[]> {
    return (await this.redis.zrevrangebyscore(this.key(service), '+inf', since)).map((text) => JSON.parse(text) as LogFinding);
  }
}
