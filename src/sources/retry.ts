import { AiopsError, ErrorCode } from '../errors.js';
import { redactedExcerpt } from '../redact-secrets.js';

export interface RetryOptions {
  /** The backend's name in messages, e.g. "prometheus". */
  backend: string;
  /** What to tell the user to check, e.g. "check PROMETHEUS_URL". */
  hint: string;
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Delay before the second attempt; doubles each time, with jitter (default 200 ms). */
  baseDelayMilliseconds?: number;
  /** Per-attempt time limit (default 10 s). */
  timeoutMilliseconds?: number;
  /** Whether an error is worth another attempt (default: everything but 4xx answers). */
  retryable?: (error: unknown) => boolean;
}

/**
 * Runs `attempt` with a time limit, retrying transient failures with exponential backoff.
 * The final error names the backend and how to fix the setting, so a user reading one log line
 * or one Slack message knows where to look.
 */
export async function withRetry<T>(operation: string, attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 3;
  const baseDelay = options.baseDelayMilliseconds ?? 200;
  const timeout = options.timeoutMilliseconds ?? 10_000;
  const retryable = options.retryable ?? isTransient;
  let lastError: unknown;
  for (let index = 0; index < attempts; index += 1) {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TimeoutError(timeout));
      }, timeout);
    });
    try {
      return await Promise.race([attempt(controller.signal), deadline]);
    } catch (error) {
      lastError = error;
      if (error instanceof AiopsError || !retryable(error) || index === attempts - 1) break;
      const delay = baseDelay * 2 ** index * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    } finally {
      clearTimeout(timer);
    }
  }
  if (lastError instanceof AiopsError) throw lastError;
  if (lastError instanceof TimeoutError) {
    throw new AiopsError(ErrorCode.SourceTimeout, `${options.backend}: ${operation} timed out after ${attempts} attempts of ${timeout} ms`, {
      backend: options.backend,
      hint: options.hint,
      cause: lastError,
    });
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new AiopsError(ErrorCode.SourceUnavailable, `${options.backend}: ${operation} failed: ${firstLine(reason)}`, {
    backend: options.backend,
    hint: options.hint,
    cause: lastError,
  });
}

class TimeoutError extends Error {
  constructor(milliseconds: number) {
    super(`no answer within ${milliseconds} ms`);
  }
}

/** HTTP status of a client error, when the error carries one in any of the usual places. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const candidate = error as { code?: unknown; statusCode?: unknown; status?: unknown; response?: { status?: unknown; statusCode?: unknown }; meta?: { statusCode?: unknown } };
  for (const value of [candidate.statusCode, candidate.status, candidate.code, candidate.response?.status, candidate.response?.statusCode, candidate.meta?.statusCode]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** Network errors, timeouts, 5xx and 429 are worth retrying; other 4xx mean the request is wrong. */
export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === undefined) return true;
  return status >= 500 || status === 429 || status === 408;
}

function firstLine(text: string): string {
  return redactedExcerpt(text.split('\n')[0] ?? text, 300);
}
