/** The log vocabulary every log reader, miner and answer shares: one line and its level. */

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

/** Least to most severe: what "at this level or more severe" compares. */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}
