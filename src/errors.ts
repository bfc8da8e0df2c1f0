/**
 * Stable error codes. A code never changes meaning once published: scripts, alerts and the
 * Slack surface match on it. Anything thrown that is not an AiopsError is wrapped once by
 * `asAiopsError` at the edge (CLI, HTTP handler, job processor) so users never see a stack trace
 * for their own mistakes.
 */
export const ErrorCode = {
  /** A setting or the YAML catalogue is invalid; the message names the variable or YAML path. */
  ConfigInvalid: 'AIOPS_CONFIG_INVALID',
  /** A user-supplied argument or file is invalid (CLI flag, CSV column, Slack command text). */
  InputInvalid: 'AIOPS_INPUT_INVALID',
  /** A backend (Prometheus, Elasticsearch, Kubernetes, Redis, Slack, LLM) failed or refused. */
  SourceUnavailable: 'AIOPS_SOURCE_UNAVAILABLE',
  /** A backend did not answer in time, after retries. */
  SourceTimeout: 'AIOPS_SOURCE_TIMEOUT',
  /** A backend answered with something we cannot interpret. */
  SourceBadResponse: 'AIOPS_SOURCE_BAD_RESPONSE',
  /** The thing asked for does not exist (service, deployment, pod, revision, scenario). */
  NotFound: 'AIOPS_NOT_FOUND',
  /** The request is valid but this source cannot answer it (e.g. arbitrary PromQL in the simulated world). */
  Unsupported: 'AIOPS_UNSUPPORTED',
  /** Anything else: a bug. Logged with its stack; users see the code and a short message. */
  Internal: 'AIOPS_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AiopsErrorOptions {
  /** What the user can do about it, e.g. "check PROMETHEUS_URL". */
  hint?: string;
  /** The backend involved, e.g. "prometheus". */
  backend?: string;
  cause?: unknown;
}

export class AiopsError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly backend?: string;

  constructor(code: ErrorCode, message: string, options: AiopsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AiopsError';
    this.code = code;
    this.hint = options.hint;
    this.backend = options.backend;
  }

  /** One line for a user: the message, then the hint when there is one. */
  toOneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** Errors a user caused and can fix: shown as one line, never with a stack trace. */
export function isUserError(error: unknown): boolean {
  return (
    error instanceof AiopsError &&
    (error.code === ErrorCode.ConfigInvalid ||
      error.code === ErrorCode.InputInvalid ||
      error.code === ErrorCode.NotFound ||
      error.code === ErrorCode.Unsupported)
  );
}

export function asAiopsError(error: unknown): AiopsError {
  if (error instanceof AiopsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AiopsError(ErrorCode.Internal, message, { cause: error });
}

export function configError(path: string, expected: string): AiopsError {
  return new AiopsError(ErrorCode.ConfigInvalid, `${path}: ${expected}`);
}

export function inputError(field: string, expected: string): AiopsError {
  return new AiopsError(ErrorCode.InputInvalid, `${field}: ${expected}`);
}

/**
 * A word the command takes no place for. A path typed without its option (`aiops detect data.csv`)
 * is the usual slip, so the line names the option it belongs after, when the command has one.
 */
export function unexpectedArgument(command: string, argument: string, pathOption?: string): AiopsError {
  return inputError(command, `unexpected argument "${argument}"${pathOption ? `; give a path after ${pathOption}, e.g. ${pathOption} ${argument}` : ''}`);
}

export function notFound(what: string, hint?: string): AiopsError {
  return new AiopsError(ErrorCode.NotFound, `${what} not found`, { hint });
}
