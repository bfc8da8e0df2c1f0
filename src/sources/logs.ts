import type { LogEntry, LogLevel } from '../logs/log-entry.js';

export interface LogSearch {
  service: string;
  start: Date;
  end: Date;
  /** Free text the message must contain (all words, case-insensitive). */
  text?: string;
  /** Only entries at this level or more severe. */
  minimumLevel?: LogLevel;
  /** Newest entries first; at most this many (default 100). */
  limit?: number;
}

export interface ErrorCountQuery {
  service: string;
  start: Date;
  end: Date;
  intervalSeconds: number;
}

export interface ErrorCount {
  /** Start of the interval, milliseconds since the Unix epoch. */
  timestamp: number;
  count: number;
}

export interface LogSource {
  readonly kind: 'elasticsearch' | 'sim';
  search(search: LogSearch): Promise<LogEntry[]>;
  /** Entries at level error or fatal per interval, every interval present (zero when none). */
  errorCounts(query: ErrorCountQuery): Promise<ErrorCount[]>;
}
