import type { FetchFunction } from '@slack/web-api';
import { redactSecrets, redactSecretsDeep } from '../redact-secrets.js';

type FetchInit = Parameters<FetchFunction>[1];

/**
 * The `fetch` every Slack call of the bot goes through (`clientOptions.fetch`: the Web API clients'
 * posts, edits, ephemerals, views and uploads, and Bolt's `respond` to a response URL): whatever a
 * listener, a block builder or the outbox wrote, its text is redacted here before it leaves. Form
 * fields (Web API calls), JSON bodies (response URLs) and text file uploads are read; the `token`
 * field is the bot's own credential and is sent as it is.
 */
export function redactingFetch(fetchImplementation: FetchFunction = globalThis.fetch): FetchFunction {
  return async (url, init) => fetchImplementation(url, init === undefined ? init : await redactedInit(init));
}

async function redactedInit(init: NonNullable<FetchInit>): Promise<NonNullable<FetchInit>> {
  const body = init.body;
  if (typeof body === 'string') return { ...init, body: isForm(init.headers) ? redactForm(body) : redactJsonOrText(body) };
  if (body instanceof FormData) return { ...init, body: await redactFormData(body) };
  return init;
}

function isForm(headers: unknown): boolean {
  const contentType = headers instanceof Headers ? headers.get('content-type') : headers && typeof headers === 'object' ? Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] : undefined;
  return typeof contentType === 'string' && contentType.startsWith('application/x-www-form-urlencoded');
}

/** A Web API call: each field redacted; blocks, attachments and views are JSON inside a field. */
function redactForm(body: string): string {
  const fields = new URLSearchParams(body);
  const redacted = new URLSearchParams();
  for (const [name, value] of fields) redacted.append(name, name === 'token' ? value : redactJsonOrText(value));
  return redacted.toString();
}

/** JSON is redacted as values (a pattern never sees an escaped quote); anything else as text. */
function redactJsonOrText(text: string): string {
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      return JSON.stringify(redactSecretsDeep(JSON.parse(text)));
    } catch {
      // Not JSON after all: redacted as text below.
    }
  }
  return redactSecrets(text);
}

async function redactFormData(form: FormData): Promise<FormData> {
  const redacted = new FormData();
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      redacted.append(name, name === 'token' ? value : redactJsonOrText(value));
      continue;
    }
    const text = textOf(new Uint8Array(await value.arrayBuffer()));
    redacted.append(name, text === undefined ? value : new Blob([redactSecrets(text)], { type: value.type }), value.name);
  }
  return redacted;
}

/** The bytes as text when they are UTF-8 text (a snippet, a log excerpt), undefined for binary (a PNG chart). */
function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
