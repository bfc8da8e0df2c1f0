import { z } from 'zod';
import type { Catalogue } from '../catalogue.js';
import { CHANGE_EVENT_KINDS, contentId, type ChangeEvent } from './change-event.js';
import { DESCRIPTION_CHARACTERS, fieldPath, invalidChange, optionalText, optionalTime, optionalUrl, requiredText, SHORT_TEXT_CHARACTERS } from './change-fields.js';
import { changedService, unknownServiceError } from './change-service.js';

/**
 * The documented shape, for any pipeline that can run `curl`:
 * `{ service, kind, description, at?, version?, url?, author?, id? }`.
 */
export const genericChangeSchema = z.object(
  {
    service: requiredText(SHORT_TEXT_CHARACTERS),
    kind: z.enum(CHANGE_EVENT_KINDS, { error: `expected one of ${CHANGE_EVENT_KINDS.join(', ')}` }),
    description: requiredText(DESCRIPTION_CHARACTERS),
    at: optionalTime,
    version: optionalText(SHORT_TEXT_CHARACTERS),
    url: optionalUrl,
    author: optionalText(SHORT_TEXT_CHARACTERS),
    id: optionalText(SHORT_TEXT_CHARACTERS),
  },
  { error: 'expected a change event object' },
);

/**
 * One change event of the generic shape; `path` prefixes the fields an error names (`[2].kind`
 * in an array). Without `at` the change is dated `now`; without `id` its identity is its content.
 */
export function parseGenericChange(payload: unknown, catalogue: Catalogue, now: number, path: ReadonlyArray<PropertyKey> = []): ChangeEvent {
  const result = genericChangeSchema.safeParse(payload);
  if (!result.success) {
    throw invalidChange(path, result.error.issues[0]!);
  }
  const given = result.data;
  const service = changedService(catalogue, given.service);
  if (!service) throw unknownServiceError(catalogue, fieldPath([...path, 'service']), given.service, 'a catalogued service or its deployment');
  const content = { service: service.name, kind: given.kind, description: given.description, at: given.at, version: given.version, url: given.url, author: given.author };
  return {
    id: given.id ?? contentId('generic', content),
    service: service.name,
    kind: given.kind,
    description: given.description,
    at: given.at ?? now,
    origin: 'generic',
    ...(given.version ? { version: given.version } : {}),
    ...(given.url ? { url: given.url } : {}),
    ...(given.author ? { author: given.author } : {}),
  };
}
