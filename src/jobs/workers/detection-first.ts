/** How long other work waits for this process's detection passes at most, ms: so it never starves. */
const LONGEST_WAIT_MILLISECONDS = 5_000;

/**
 * Detection before anything else a worker process runs. Every service's pass falls due at the
 * same instant each minute, and log mining, training and forecasts are never urgent, yet on a
 * process whose cores are full they took their share of each cycle: at 10,000 services on two
 * cores, log mining (never caught up at that size) held about a third of each worker while a cycle
 * ran late. So their jobs start when no detection pass runs here, or after a few seconds' wait.
 */
export class DetectionFirst {
  private running = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly longestWaitMilliseconds = LONGEST_WAIT_MILLISECONDS) {}

  /** Runs a detection pass, counted while it runs. */
  async detect<T>(pass: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await pass();
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const release of [...this.waiting]) release();
    }
  }

  /** Resolves when no detection pass runs in this process, or after the longest wait. */
  whenQuiet(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.waiting.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.longestWaitMilliseconds);
      this.waiting.add(release);
    });
  }
}
