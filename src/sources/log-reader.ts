import type { LogEntry } from '../logs/log-entry.js';

/**
 * Reading a service's log forward, page by page, from where the last reader stopped. The cursor
 * is the newest timestamp read plus the ids of the lines read at exactly that timestamp: resuming
 * asks for lines at or after the timestamp and skips those ids, so a reader restarted from a
 * saved cursor neither loses lines that share the last millisecond nor reads any line twice.
 * (A sort tiebreaker such as `_shard_doc` cannot be saved: it only means something inside one
 * point in time.)
 */
export interface LogCursor {
  /** Newest line timestamp read, milliseconds since the Unix epoch. */
  timestamp: number;
  /** Ids of the lines read whose timestamp is exactly `timestamp`. */
  idsAtTimestamp: string[];
}

export interface LogPage {
  /** Oldest first; never empty. */
  entries: LogEntry[];
  /** The cursor after this page's last line. */
  cursor: LogCursor;
}

export interface LogReadRange {
  /** Where to start when there is no cursor yet, ms since the epoch (inclusive). */
  since: number;
  /** Read lines up to here, ms since the epoch (inclusive); keep it behind now by the ingest delay. */
  until: number;
  /** Lines per page (default 1000). */
  pageSize?: number;
}

export interface LogReader {
  /** The service's lines after `cursor` (or from `range.since`) up to `range.until`, in pages. */
  pages(service: string, cursor: LogCursor | undefined, range: LogReadRange): AsyncIterable<LogPage>;
}

/** Whether the line (timestamp, id) comes after the cursor. */
export function isAfterCursor(cursor: LogCursor | undefined, timestamp: number, id: string): boolean {
  if (cursor === undefined || timestamp > cursor.timestamp) return true;
  return timestamp === cursor.timestamp && !cursor.idsAtTimestamp.includes(id);
}

/** The cursor after reading `lines` (oldest first, all after `cursor`). */
export function cursorAfter(cursor: LogCursor | undefined, lines: ReadonlyArray<{ timestamp: number; id: string }>): LogCursor | undefined {
  const last = lines.at(-1);
  if (last === undefined) return cursor;
  const atLast = lines.filter((line) => line.timestamp === last.timestamp).map((line) => line.id);
  const earlier = cursor !== undefined && cursor.timestamp === last.timestamp ? cursor.idsAtTimestamp : [];
  return { timestamp: last.timestamp, idsAtTimestamp: [...earlier, ...atLast] };
}
