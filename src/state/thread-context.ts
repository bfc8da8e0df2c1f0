import type { Redis } from 'ioredis';

/** One side of an exchange in a thread: the question asked, or the bot's answer in short. */
export interface ThreadTurn {
  role: 'user' | 'assistant';
  text: string;
}

/** Turns kept per thread: enough for "and its database?" to make sense, few enough to stay cheap in a prompt. */
const TURNS_KEPT = 6;

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

  /** The thread's latest exchanges, oldest first. */
  async turns(channel: string, threadTs: string): Promise<ThreadTurn[]> {
    return (await this.redis.lrange(`${this.key(channel, threadTs)}:turns`, 0, -1)).map((text) => JSON.parse(text) as ThreadTurn);
  }

  /** Appends an exchange, keeping the latest few. */
  async rememberTurns(channel: string, threadTs: string, turns: ThreadTurn[]): Promise<void> {
    if (turns.length === 0) return;
    const key = `${this.key(channel, threadTs)}:turns`;
    await this.redis
      .multi()
      .rpush(key, ...turns.map((turn) => JSON.stringify(turn)))
      .ltrim(key, -TURNS_KEPT, -1)
      .expire(key, this.ttlSeconds)
      .exec();
  }
}
