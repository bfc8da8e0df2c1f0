import { pino, type Logger } from 'pino';
import { redactSecrets } from './redact-secrets.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines (pino-pretty) instead of JSON; meant for a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (default standard output); ignored when pretty. */
  destination?: NodeJS.WritableStream;
}

/**
 * Paths redacted in every log line. Secrets reach logs through config objects, HTTP headers and
 * client errors; redacting by path keeps them out whatever logs them.
 */
export const REDACTED_PATHS = [
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'token',
  'password',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.token',
  '*.password',
  'headers.authorization',
  '*.headers.authorization',
];

/** Deep enough for error objects and request summaries; a log line is never walked further. */
const MAXIMUM_REDACTION_DEPTH = 4;

/**
 * Secrets inside text: a question someone pasted a password into, an error quoting a connection
 * string. Paths catch secrets by name; this catches them by shape, in messages and string fields.
 */
function redactText(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth >= MAXIMUM_REDACTION_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactText(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactSecrets(value.message), ...(value.stack ? { stack: redactSecrets(value.stack) } : {}) };
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactText(item, depth + 1)]));
}

/**
 * How pino-pretty shows a line in a terminal: the time, the level, the message, then the fields on
 * the same line (`singleLine`), so an anomaly or any other event reads as one line.
 */
export const PRETTY_OPTIONS = { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true } as const;

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { log: (object: Record<string, unknown>) => redactText(object) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, parameters: unknown[], method: (...parameters: unknown[]) => void) {
        method.apply(this, parameters.map((parameter) => (typeof parameter === 'string' ? redactSecrets(parameter) : parameter)));
      },
    },
  };
  if (options.pretty) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: PRETTY_OPTIONS } });
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A silent logger for tests and library callers that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
