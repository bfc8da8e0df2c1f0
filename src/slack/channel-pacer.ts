/**
 * Slack allows about one message per second per channel; a burst beyond that is answered with
 * 429s. The pacer queues sends per channel and spaces them a second apart, so a burst is
 * delivered in order, late by at most the queue, and never refused.
 */
export class ChannelPacer {
  private readonly lastSent = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    /** Minimum milliseconds between two sends to one channel (default 1,000). */
    private readonly spacingMilliseconds = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  send<T>(channel: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const wait = (this.lastSent.get(channel) ?? Number.NEGATIVE_INFINITY) + this.spacingMilliseconds - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastSent.set(channel, this.now());
      return operation();
    });
    this.queues.set(channel, next);
    // Forget idle channels, so a long-running bot does not keep one entry per channel forever.
    void next.finally(() => {
      if (this.queues.get(channel) === next) this.queues.delete(channel);
    }).catch(() => undefined);
    return next;
  }
}
