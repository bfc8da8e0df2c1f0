import { pino, type Logger } from 'pino';

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

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = { level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (options.pretty) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A silent logger for tests and library callers that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
