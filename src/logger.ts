import { pino, type Logger } from 'pino';
import { REDACTED, redactSecrets, redactSecretsDeep } from './redact-secrets.js';

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
 * client errors; redacting by path keeps them out whatever logs them (redactLogLine then catches
 * any other field named like a secret, at any depth, and secrets by their shape).
 */
export const REDACTED_PATHS = [
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'token',
  'password',
  'pagingKeys',
  'apiTokens',
  'databaseUrl',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.pagingKeys',
  '*.apiTokens',
  '*.databaseUrl',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * The last step before a line is written (JSON or pretty): the whole serialised line, redacted at
 * any depth. Pino builds the message of `logger.error(new Error(…))` and the `err` field after the
 * formatters run, and cuts objects deeper than its depth limit, so only the finished line is
 * certain to hold everything that leaves.
 */
function redactLogLine(line: string): string {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  try {
    return `${JSON.stringify(redactSecretsDeep(JSON.parse(body)))}\n`;
  } catch {
    return redactSecrets(line);
  }
}

/**
 * Errors anywhere in the object become their type, message, stack and fields (JSON would show `{}`);
 * `err` is left to pino's own serializer, which names its type, and redactLogLine redacts it.
 */
function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const { err, ...rest } = object;
  const redacted = redactSecretsDeep(rest) as Record<string, unknown>;
  return err === undefined ? redacted : { ...redacted, err };
}

/**
 * How pino-pretty shows a line in a terminal: the time, the level, the message, then the fields on
 * the same line (`singleLine`), so an anomaly or any other event reads as one line.
 */
export const PRETTY_OPTIONS = { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true } as const;

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    formatters: { log: redactLogObject },
    hooks: { streamWrite: redactLogLine },
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
