import type { Catalogue } from '../catalogue.js';
import { inputError } from '../errors.js';
import { parseArgoCdChange } from './argocd-change.js';
import type { ChangeEvent } from './change-event.js';
import { parseGenericChange } from './generic-change.js';
import { parseGitHubChange } from './github-change.js';

/** Events in one delivery at most: a pipeline reports a release, not a history. */
export const MAXIMUM_EVENTS_PER_DELIVERY = 1_000;

export interface ParsedChanges {
  events: ChangeEvent[];
  /** Why a well-formed notification recorded nothing (a failed deployment, a sync still running), one line each. */
  ignored: string[];
}

/**
 * Change events from a delivery of any documented shape, told apart by their keys: an array
 * (generic events), `deployment_status` (GitHub), `argocd` (the README's Argo CD template), or
 * one generic event. All or nothing: the first problem throws, naming the field (InputInvalid,
 * a 400; an unknown service is NotFound, a 422), and nothing is kept. `now` dates an event whose
 * sender gave no time. The same function serves every reader of changes (the webhook; a stream
 * consumer would call it on each message), so a shape is accepted the same way wherever it comes from.
 */
export function parseChangeEvents(payload: unknown, catalogue: Catalogue, now: number): ParsedChanges {
  if (Array.isArray(payload)) {
    if (payload.length === 0) throw inputError('body', 'expected at least one change event');
    if (payload.length > MAXIMUM_EVENTS_PER_DELIVERY) throw inputError('body', `expected at most ${MAXIMUM_EVENTS_PER_DELIVERY} change events in one delivery`);
    return { events: payload.map((entry, index) => parseGenericChange(entry, catalogue, now, [index])), ignored: [] };
  }
  if (typeof payload !== 'object' || payload === null) {
    throw inputError('body', 'expected a change event object, an array of them, a GitHub deployment_status event or an Argo CD notification');
  }
  const parsed = Object.hasOwn(payload, 'deployment_status')
    ? parseGitHubChange(payload, catalogue, now)
    : Object.hasOwn(payload, 'argocd')
      ? parseArgoCdChange(payload, catalogue, now)
      : { event: parseGenericChange(payload, catalogue, now) };
  return 'event' in parsed ? { events: [parsed.event], ignored: [] } : { events: [], ignored: [parsed.ignored] };
}
