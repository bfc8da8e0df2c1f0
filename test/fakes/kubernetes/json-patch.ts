/**
 * The patch formats the fake API server accepts, applied to plain JSON the way the real API
 * server applies them: RFC 7386 merge patch and RFC 6902 JSON patch. Strategic merge is treated
 * as a merge patch: the adapter never relies on list merge keys, and a test that did would be
 * testing the fake.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** A patch the API server refuses; `code` is the HTTP status it answers with. */
export class PatchError extends Error {
  constructor(
    readonly code: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** RFC 7386: objects merge key by key, `null` deletes, everything else (arrays included) replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key] ?? null, value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  value?: Json;
}

/** RFC 6902 add, remove, replace and test; the whole patch fails if one operation does. */
export function applyJsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new PatchError(400, 'json patch must be an array of operations');
  let document = cloneJson(target);
  for (const entry of patch) {
    const operation = asOperation(entry);
    const tokens = parsePointer(operation.path);
    if (tokens.length === 0) {
      if (operation.op === 'replace' || operation.op === 'add') document = cloneJson(operation.value ?? null);
      else throw new PatchError(422, `cannot ${operation.op} the whole document`);
      continue;
    }
    const parent = valueAtTokens(document, tokens.slice(0, -1));
    const last = tokens[tokens.length - 1] as string;
    if (parent === undefined || parent === null || typeof parent !== 'object') {
      throw new PatchError(422, `doc is missing path: "${operation.path}"`);
    }
    applyOperation(operation, parent, last);
  }
  return document;
}

function applyOperation(operation: Operation, parent: JsonObject | Json[], key: string): void {
  const exists = Array.isArray(parent) ? Number(key) < parent.length : key in parent;
  switch (operation.op) {
    case 'add':
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, cloneJson(operation.value ?? null));
      else parent[key] = cloneJson(operation.value ?? null);
      return;
    case 'replace':
      if (!exists) throw new PatchError(422, `doc is missing key: "${operation.path}"`);
      if (Array.isArray(parent)) parent[Number(key)] = cloneJson(operation.value ?? null);
      else parent[key] = cloneJson(operation.value ?? null);
      return;
    case 'remove':
      if (!exists) throw new PatchError(422, `doc is missing key: "${operation.path}"`);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
    case 'test': {
      const actual = Array.isArray(parent) ? parent[Number(key)] : parent[key];
      if (JSON.stringify(actual) !== JSON.stringify(operation.value)) {
        throw new PatchError(422, `testing value ${operation.path} failed`);
      }
      return;
    }
    default:
      throw new PatchError(400, `unsupported json patch operation "${operation.op}"`);
  }
}

function asOperation(entry: Json): Operation {
  if (!isJsonObject(entry) || typeof entry.op !== 'string' || typeof entry.path !== 'string') {
    throw new PatchError(400, 'each json patch operation needs "op" and "path"');
  }
  return { op: entry.op, path: entry.path, value: entry.value };
}

/** RFC 6901 pointer: "/spec/template" -> ["spec", "template"], with ~1 and ~0 unescaped. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(400, `invalid json pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at a JSON pointer, or undefined where the path does not exist. */
export function valueAt(document: Json | undefined, pointer: string): Json | undefined {
  return valueAtTokens(document, parsePointer(pointer));
}

function valueAtTokens(document: Json | undefined, tokens: string[]): Json | undefined {
  let current: Json | undefined = document;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isJsonObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}
