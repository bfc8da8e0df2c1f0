import type { Redis } from 'ioredis';

/**
 * Who opened the bot's App Home, and when, so their view is kept fresh as state changes. Layout
 * under the prefix: `slack:home-viewers`, a sorted set of Slack user ids by when they last opened it.
 */
export class HomeViewers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}slack:home-viewers`;
  }

  async opened(user: string, at: number): Promise<void> {
    await this.redis.zadd(this.key, at, user);
  }

  /** Users who opened it at or after `since` (ms). */
  since(since: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, since, '+inf');
  }
}
