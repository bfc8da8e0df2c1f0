import { parseDuration } from '../../duration.js';
import { badRequest } from './api-error.js';

/** Page sizes: the default, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAXIMUM_PAGE_SIZE = 200;

export interface Page<Item> {
  items: Item[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** A query parameter, or undefined; a parameter given twice is refused rather than guessed. */
export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw badRequest(name, 'expected once, got it twice or more');
  return values[0];
}

export function oneOf<Value extends string>(query: URLSearchParams, name: string, allowed: readonly Value[], fallback: Value): Value {
  const value = queryValue(query, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw badRequest(name, `expected one of ${allowed.join(', ')}, got "${value.slice(0, 40)}"`);
  return value as Value;
}

/** A duration parameter (`1h`, `7d`) in milliseconds. */
export function durationParameter(query: URLSearchParams, name: string, fallback: number, maximum: number): number {
  const value = queryValue(query, name);
  if (value === undefined) return fallback;
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined || milliseconds <= 0 || milliseconds > maximum) {
    const days = maximum / 86_400_000;
    throw badRequest(name, days === 1 ? 'expected a duration like 15m, 2h or 1d, at most a day' : `expected a duration like 30m, 6h or 7d, at most ${days} days`);
  }
  return milliseconds;
}

/**
 * One page of an ordered list. The cursor is the offset of the next item, opaque to clients: lists
 * here are a few thousand items at most (kept incidents, a day of anomalies, the audit stream),
 * read whole from Redis anyway, so an offset costs nothing more than a keyset would.
 */
export function paginate<Item>(items: readonly Item[], query: URLSearchParams): Page<Item> {
  const limitText = queryValue(query, 'limit');
  const limit = limitText === undefined ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAXIMUM_PAGE_SIZE) throw badRequest('limit', `expected an integer from 1 to ${MAXIMUM_PAGE_SIZE}`);
  const cursor = queryValue(query, 'cursor');
  const offset = cursor === undefined ? 0 : decodeCursor(cursor);
  const pageItems = items.slice(offset, offset + limit);
  return { items: pageItems, ...(offset + limit < items.length ? { nextCursor: encodeCursor(offset + limit) } : {}) };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Refused below, whatever was wrong with it.
  }
  throw badRequest('cursor', 'expected the nextCursor of an earlier page');
}

/** A JSON request body that must be an object (an empty body is an empty object). */
export function jsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('body', 'expected JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('body', 'expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** An optional string field of a body, at most `maximum` characters. */
export function optionalString(body: Record<string, unknown>, field: string, maximum: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > maximum) throw badRequest(field, `expected a non-empty string of at most ${maximum} characters`);
  return value.trim();
}

export function requiredString(body: Record<string, unknown>, field: string, maximum: number): string {
  const value = optionalString(body, field, maximum);
  if (value === undefined) throw badRequest(field, `required: a non-empty string of at most ${maximum} characters`);
  return value;
}
