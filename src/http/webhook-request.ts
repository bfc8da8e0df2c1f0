import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/** After a 413, what the client still sends is read and dropped for this long, then the connection is cut. */
const DISCARD_MILLISECONDS = 10_000;

/** `Authorization: Bearer <token>`, compared in constant time; a bare token is not taken. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!bearer) return false;
  const presented = Buffer.from(bearer[1]!);
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test((header ?? '').trim());
}

/**
 * A 413 the client can read: `Connection: close`, the response ended, and the rest of the body
 * read and dropped rather than left unread (a socket closed with unread data is reset, and the
 * reset can overtake the answer), for a while; a client still sending after that is cut off.
 */
export function refuseTooLarge(request: IncomingMessage, response: ServerResponse, error: string): void {
  response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  response.end(JSON.stringify({ error }));
  const cutOff = setTimeout(() => request.destroy(), DISCARD_MILLISECONDS);
  cutOff.unref();
  request.once('close', () => clearTimeout(cutOff));
  request.on('data', () => undefined);
  request.resume();
}

/** The work's result, or a rejection once `milliseconds` pass without one. */
export function withinDeadline<T>(work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not stored within ${milliseconds} ms`)), milliseconds);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
