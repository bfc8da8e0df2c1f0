import { AiopsError, ErrorCode } from '../../errors.js';
import type { ToolResult } from '../tool.js';
import { redactedExcerpt } from '../../redact-secrets.js';

/** Long enough for Prometheus' own parse error; short enough to stay one line in the model's context. */
const MAXIMUM_REASON_CHARACTERS = 300;

/**
 * A failed call as a status the model can read, never a throw: "Prometheus did not answer: …".
 * Errors that are about the question (a bad query, something not found, a source that cannot
 * answer it) say "could not answer", so the model rephrases instead of retrying.
 */
export function toolFailure(what: string, error: unknown): ToolResult {
  const aboutTheQuestion =
    error instanceof AiopsError && (error.code === ErrorCode.InputInvalid || error.code === ErrorCode.NotFound || error.code === ErrorCode.Unsupported);
  return { status: 'error', output: `${what} ${aboutTheQuestion ? 'could not answer' : 'did not answer'}: ${errorReason(error)}` };
}

/** The error as one bounded line. */
export function errorReason(error: unknown): string {
  const text = error instanceof AiopsError ? error.toOneLine() : error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
  return redactedExcerpt(line, MAXIMUM_REASON_CHARACTERS);
}
