import { z } from 'zod';
import type { Catalogue } from '../catalogue.js';
import { CHANGE_EVENT_KINDS, type ChangeEvent } from './change-event.js';
import { DESCRIPTION_CHARACTERS, invalidChange, optionalText, optionalTime, optionalUrl, requiredText, SHORT_TEXT_CHARACTERS } from './change-fields.js';
import { changedService, unknownServiceError } from './change-service.js';

/** Characters of a Git revision shown as the version. */
const SHORT_REVISION_CHARACTERS = 12;
/** Operation phases that mean the sync went through; the template may also leave the phase out. */
const SUCCEEDED_PHASES = new Set(['Succeeded']);

/**
 * The body of the README's `argocd-notifications-cm` template: `{ "argocd": { … } }`, each value
 * one of Argo CD's template fields. Empty strings are what a template writes for a field the
 * application does not have; they count as absent.
 */
const argoCdSchema = z.object(
  {
    argocd: z.object(
      {
        app: requiredText(SHORT_TEXT_CHARACTERS),
        namespace: optionalText(SHORT_TEXT_CHARACTERS),
        revision: optionalText(SHORT_TEXT_CHARACTERS),
        kind: z.union([z.enum(CHANGE_EVENT_KINDS), z.literal('')], { error: `expected one of ${CHANGE_EVENT_KINDS.join(', ')}` }).optional(),
        phase: optionalText(SHORT_TEXT_CHARACTERS),
        syncStatus: optionalText(SHORT_TEXT_CHARACTERS),
        healthStatus: optionalText(SHORT_TEXT_CHARACTERS),
        finishedAt: optionalTime,
        initiatedBy: optionalText(SHORT_TEXT_CHARACTERS),
        message: optionalText(DESCRIPTION_CHARACTERS),
        url: optionalUrl,
      },
      { error: 'expected an object of the Argo CD template fields' },
    ),
  },
  { error: 'expected an Argo CD notification' },
);

export type ArgoCdChange = { event: ChangeEvent } | { ignored: string };

/**
 * An Argo CD sync that went through, from the notification the README's template sends. The
 * application's name is the service's or its Deployment's (in `namespace`, the destination
 * namespace, when several share the name). A sync that failed or is still running changed nothing
 * we keep: ignored (answered 200, so Argo CD does not retry). The identity is the application,
 * the revision and the time it finished: Argo CD's retries carry the same three.
 */
export function parseArgoCdChange(payload: unknown, catalogue: Catalogue, now: number): ArgoCdChange {
  const result = argoCdSchema.safeParse(payload);
  if (!result.success) throw invalidChange([], result.error.issues[0]!);
  const notice = result.data.argocd;
  if (notice.phase !== undefined && !SUCCEEDED_PHASES.has(notice.phase)) return { ignored: `argocd.phase is ${JSON.stringify(notice.phase)}: only a sync that "Succeeded" records a change` };
  const service = changedService(catalogue, notice.app, notice.namespace);
  if (!service) throw unknownServiceError(catalogue, 'argocd.app', notice.app, 'an application named after a catalogued service or its deployment');
  const version = notice.revision?.slice(0, SHORT_REVISION_CHARACTERS);
  const description = notice.message ? `Argo CD sync of ${notice.app}: ${notice.message}` : `Argo CD sync of ${notice.app}`;
  return {
    event: {
      // Without a revision or a finishing time nothing tells a retry from the next sync: each delivery is its own.
      id: `argocd:${notice.namespace ?? ''}/${notice.app}@${notice.revision ?? ''}@${notice.finishedAt ?? (notice.revision ? '' : now)}`,
      service: service.name,
      kind: notice.kind || 'deploy',
      description,
      at: notice.finishedAt ?? now,
      origin: 'argocd',
      ...(version ? { version } : {}),
      ...(notice.url ? { url: notice.url } : {}),
      ...(notice.initiatedBy ? { author: notice.initiatedBy } : {}),
    },
  };
}
