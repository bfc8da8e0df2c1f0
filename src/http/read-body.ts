import type { IncomingMessage } from 'node:http';

export type Body = { tooLarge: false; text: string } | { tooLarge: true; bytes: number };

/** The body, or how much of it was seen once it (or its declared length) went over the limit; the rest is left to the caller. */
export function readBody(request: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ tooLarge: true, bytes: declared });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.off('data', onData);
      chunks.length = 0;
      resolve({ tooLarge: true, bytes: size });
    };
    request.on('data', onData);
    request.on('end', () => resolve({ tooLarge: false, text: Buffer.concat(chunks).toString('utf8') }));
    request.on('error', reject);
    // Settles nothing once the body ended; otherwise the client went away mid-body.
    request.on('close', () => reject(new Error('the client closed the connection before the body ended')));
  });
}
