import { z } from 'zod';
import type { Catalogue } from '../../catalogue.js';
import { LOG_LEVELS, levelRank, type LogEntry } from '../../logs/log-entry.js';
import { type LogSource } from '../../sources/logs.js';
import { MAXIMUM_TOOL_OUTPUT_CHARACTERS, boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { knownService } from './known-service.js';
import { sourceName } from './source-name.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcClock } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface SearchLogsDependencies {
  catalogue: Catalogue;
  logs: LogSource;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  service: z.string().describe('Catalogued service name'),
  words: z.string().optional().describe('Words every message must contain, case-insensitive, e.g. "timeout connection"'),
  minimumLevel: z.enum(LOG_LEVELS).optional().describe('Only lines at this level or more severe'),
  minutes: z.number().int().min(1).max(1440).default(15).describe('How far back to search, minutes (default 15)'),
});

/** Lines counted at most: beyond this the count is a floor, and the model is told so. */
const COUNT_LIMIT = 1000;
const LINES_SHOWN = 20;
const MAXIMUM_MESSAGE_CHARACTERS = 200;
/** Room left for the header and the "more" line inside the output limit. */
const LINES_BUDGET = MAXIMUM_TOOL_OUTPUT_CHARACTERS - 600;

/** Raw log lines, newest first, few and cut short; for patterns across thousands, log_templates is the tool. */
export function searchLogsTool(dependencies: SearchLogsDependencies): AgentTool<typeof schema> {
  return {
    name: 'search_logs',
    description:
      'Searches a service\'s logs for lines containing words, at or above a level, over the last minutes. Returns how many matched, how many are errors, ' +
      'and the newest 20 distinct messages with their repeat counts (cut to 200 characters). For what a service logs in bulk, prefer log_templates.',
    schema,
    async run(input): Promise<ToolResult> {
      const lookup = knownService(dependencies.catalogue, input.service);
      if (lookup.failure) return lookup.failure;
      const now = dependencies.now();
      const start = now - input.minutes * 60_000;
      const queries = [{ kind: 'logs' as const, text: describeSearch(input), start, end: now }];
      const search = { service: input.service, start: new Date(start), end: new Date(now), text: input.words, minimumLevel: input.minimumLevel, limit: COUNT_LIMIT };
      let entries: LogEntry[];
      try {
        entries = await dependencies.logs.search(search);
      } catch (error) {
        return { ...toolFailure(sourceName(dependencies.logs), error), queries, services: [input.service] };
      }
      const span = `${formatUtcClock(start)}–${formatUtcClock(now)} UTC`;
      if (entries.length === 0) {
        return { status: 'no-data', output: `No log lines for ${describeSearch(input)} between ${span}.`, queries, services: [input.service] };
      }
      const capped = entries.length >= COUNT_LIMIT;
      const errors = entries.filter((entry) => levelRank(entry.level) >= levelRank('error')).length;
      const counted = capped
        ? `at least ${COUNT_LIMIT} lines matched (counting stops there), ${errors} of the newest ${COUNT_LIMIT} at error or fatal`
        : `${entries.length} lines matched, ${errors} at error or fatal`;
      const newestFirst = [...entries].sort((left, right) => right.timestamp - left.timestamp);
      // A flood repeats one message thousands of times: show each distinct message once, with its count.
      const distinct = new Map<string, { entry: LogEntry; count: number }>();
      for (const entry of newestFirst) {
        const key = `${entry.level}|${entry.message}`;
        const seen = distinct.get(key);
        if (seen) seen.count += 1;
        else distinct.set(key, { entry, count: 1 });
      }
      const shown: string[] = [];
      let length = 0;
      for (const { entry, count } of [...distinct.values()].slice(0, LINES_SHOWN)) {
        const line = formatEntry(entry, count);
        if (length + line.length + 1 > LINES_BUDGET) break;
        shown.push(line);
        length += line.length + 1;
      }
      const lines = [`${describeSearch(input)}, ${span}: ${counted}. Newest ${shown.length} distinct messages (×N: repeats among the lines counted, the time is the newest):`, ...shown];
      const hidden = distinct.size - shown.length;
      if (hidden > 0 || capped) lines.push(`… ${capped ? 'more' : hidden} distinct messages not shown; narrow with words or minimumLevel, or use log_templates.`);
      return { status: 'ok', output: boundedOutput(lines.join('\n')), queries, services: [input.service] };
    },
  };
}

function describeSearch(input: z.infer<typeof schema>): string {
  const parts = [`logs of ${input.service}`];
  if (input.words) parts.push(`containing "${input.words}"`);
  if (input.minimumLevel) parts.push(`at ${input.minimumLevel} or above`);
  return parts.join(' ');
}

function formatEntry(entry: LogEntry, count: number): string {
  const message = entry.message.replace(/\s*\n\s*/g, ' ⏎ ');
  const cut = redactedExcerpt(message, MAXIMUM_MESSAGE_CHARACTERS);
  const time = new Date(entry.timestamp).toISOString().slice(11, 19);
  return `${time} ${entry.level.toUpperCase()}${entry.pod ? ` ${entry.pod}` : ''}${count > 1 ? ` ×${count}` : ''}: ${cut}`;
}
