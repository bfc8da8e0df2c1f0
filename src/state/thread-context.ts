import type { Redis } from 'ioredis';

/** What a Slack thread was about, so a follow-up ("and its database?") keeps the services in view. */
export class ThreadContext {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a thread is remembered, seconds (default a week). */
    private readonly ttlSeconds = 7 * 86_400,
  ) {}

  private key(channel: string, threadTs: string): string {
    return `${this.prefix}slack:thread:${channel}:${threadTs}`;
  }

  async services(channel: string, threadTs: string): Promise<string[]> {
    const text = await this.redis.get(this.key(channel, threadTs));
    return text === null ? [] : (JSON.parse(text) as string[]);
  }

  async remember(channel: string, threadTs: string, services: string[]): Promise<void> {
    if (services.length === 0) return;
    await this.redis.set(this.key(channel, threadTs), JSON.stringify(services), 'EX', this.ttlSeconds);
  }
}
