import { z } from 'zod';
import { AiopsError, ErrorCode } from '../errors.js';

/** The longest description kept: a change is one line of evidence, not a changelog. */
export const DESCRIPTION_CHARACTERS = 500;
/** Versions, authors, ids and names: long enough for a full SHA or an image reference, short enough to show. */
export const SHORT_TEXT_CHARACTERS = 200;
/** Below this a number is a time in seconds, not milliseconds (1e11 ms is March 1973). */
const SMALLEST_MILLISECONDS = 1e11;

/** RFC 3339 / ISO 8601 with a zone, as CI systems write times: `2026-11-24T14:55:00Z`, `…+01:00`, fractions allowed. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Optional text: trimmed, and an empty string or null taken as absent, since templates (Argo
 * CD's, a workflow's `${{ … }}`) write "" for a field they have no value for, and GitHub null.
 */
export function optionalText(maximum: number) {
  return z
    .string({ error: 'expected a string' })
    .trim()
    .max(maximum, { error: `expected at most ${maximum} characters` })
    .nullish()
    .transform((value) => (value === '' || value === null ? undefined : value));
}

export function requiredText(maximum: number) {
  return z.string({ error: 'expected a string' }).trim().min(1, { error: 'expected a non-empty string' }).max(maximum, { error: `expected at most ${maximum} characters` });
}

/** An http(s) link, or absent. */
export const optionalUrl = optionalText(2_000).refine((value) => value === undefined || /^https?:\/\/\S+$/.test(value), { error: 'expected an http:// or https:// URL' });

/** A time: an ISO 8601 string with a zone, or milliseconds since the epoch; absent (or "", or null) when not given. */
export const optionalTime = z
  .union([z.string({ error: 'expected a time' }), z.number({ error: 'expected a time' })], { error: 'expected an ISO 8601 time with a zone or milliseconds since the epoch' })
  .nullish()
  .transform((value, context) => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') {
      if (Number.isFinite(value) && value >= SMALLEST_MILLISECONDS) return value;
      context.addIssue({ code: 'custom', message: 'expected milliseconds since the epoch (a number this small is seconds, or no time)' });
      return z.NEVER;
    }
    const at = ZONED_TIME.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
    if (Number.isFinite(at)) return at;
    context.addIssue({ code: 'custom', message: 'expected an ISO 8601 time with a zone, like 2026-11-24T14:55:00Z' });
    return z.NEVER;
  });

/** `[2].kind`, `deployment_status.state`: where in the body a field is, as a refusal names it. */
export function fieldPath(segments: ReadonlyArray<PropertyKey>): string {
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`)).join('');
}

/** The one-line refusal of a body zod found wrong: the field's path under `prefix`, then what was expected. */
export function invalidChange(prefix: ReadonlyArray<PropertyKey>, issue: z.core.$ZodIssue): AiopsError {
  const path = fieldPath([...prefix, ...issue.path]);
  return new AiopsError(ErrorCode.InputInvalid, `${path === '' ? 'body' : path}: ${issue.message}`);
}
