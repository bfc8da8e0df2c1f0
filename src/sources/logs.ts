export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogEntry {
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  service: string;
  pod?: string;
  level: LogLevel;
  message: string;
}

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

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}
