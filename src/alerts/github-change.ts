import { z } from 'zod';
import type { Catalogue } from '../catalogue.js';
import { CHANGE_EVENT_KINDS, type ChangeEvent } from './change-event.js';
import { DESCRIPTION_CHARACTERS, invalidChange, optionalText, optionalTime, optionalUrl, requiredText, SHORT_TEXT_CHARACTERS } from './change-fields.js';
import { changedService, unknownServiceError } from './change-service.js';

/** Characters of a commit SHA shown as the version when the deployment names no version: what `git log --oneline` shows, and then some. */
const SHORT_SHA_CHARACTERS = 12;

const login = z.object({ login: optionalText(SHORT_TEXT_CHARACTERS) }, { error: 'expected a user object' }).nullish();

/**
 * The part of GitHub's `deployment_status` event we read: what a repository webhook sends, and
 * `${{ toJSON(github.event) }}` in a workflow run `on: deployment_status`. `deployment.payload`
 * may name the service, the kind and the version the deployment carried.
 */
const deploymentStatusSchema = z.object(
  {
    deployment_status: z.object(
      {
        id: z.union([z.number(), z.string()], { error: 'expected the status id, a number' }),
        state: requiredText(SHORT_TEXT_CHARACTERS),
        environment: optionalText(SHORT_TEXT_CHARACTERS),
        description: optionalText(DESCRIPTION_CHARACTERS),
        target_url: optionalUrl,
        log_url: optionalUrl,
        created_at: optionalTime,
        updated_at: optionalTime,
      },
      { error: 'expected an object' },
    ),
    deployment: z.object(
      {
        sha: requiredText(SHORT_TEXT_CHARACTERS),
        ref: optionalText(SHORT_TEXT_CHARACTERS),
        task: optionalText(SHORT_TEXT_CHARACTERS),
        environment: optionalText(SHORT_TEXT_CHARACTERS),
        description: optionalText(DESCRIPTION_CHARACTERS),
        creator: login,
        payload: z
          .union([
            z.object({
              service: optionalText(SHORT_TEXT_CHARACTERS),
              kind: z.enum(CHANGE_EVENT_KINDS, { error: `expected one of ${CHANGE_EVENT_KINDS.join(', ')}` }).optional(),
              version: optionalText(SHORT_TEXT_CHARACTERS),
            }),
            // GitHub keeps a payload given as a string as it was given; only an object can name anything.
            z.string(),
          ])
          .optional(),
      },
      { error: 'expected an object' },
    ),
    repository: z.object({ name: requiredText(SHORT_TEXT_CHARACTERS), html_url: optionalUrl }, { error: 'expected an object' }),
    sender: login,
  },
  { error: 'expected a GitHub deployment_status event' },
);

export type GitHubChange = { event: ChangeEvent } | { ignored: string };

/**
 * A GitHub deployment that finished: `deployment_status.state` "success" is a change; any other
 * state (queued, in_progress, failure, error, inactive) changed nothing yet, or nothing we keep,
 * and is ignored (answered 200, so GitHub does not retry). The service is
 * `deployment.payload.service`, or else the repository's name as a catalogued service or
 * deployment. The status id is the identity: GitHub's redeliveries carry the same one.
 */
export function parseGitHubChange(payload: unknown, catalogue: Catalogue, now: number): GitHubChange {
  const result = deploymentStatusSchema.safeParse(payload);
  if (!result.success) throw invalidChange([], result.error.issues[0]!);
  const { deployment_status: status, deployment, repository, sender } = result.data;
  if (status.state !== 'success') return { ignored: `deployment_status.state is ${JSON.stringify(status.state)}: only "success" records a change` };
  const details: { service?: string; kind?: ChangeEvent['kind']; version?: string } = typeof deployment.payload === 'object' ? deployment.payload : {};
  const named = details.service ?? repository.name;
  const service = changedService(catalogue, named);
  if (!service) {
    const field = details.service ? 'deployment.payload.service' : 'repository.name';
    throw unknownServiceError(catalogue, field, named, 'a catalogued service or deployment (name it in the deployment payload\'s "service" when the repository is named otherwise)');
  }
  const environment = status.environment ?? deployment.environment;
  const version = details.version ?? deployment.sha.slice(0, SHORT_SHA_CHARACTERS);
  const said = deployment.description ?? status.description ?? `${deployment.task ?? 'deploy'} of ${deployment.ref ?? deployment.sha.slice(0, SHORT_SHA_CHARACTERS)}`;
  const author = deployment.creator?.login ?? sender?.login;
  const url = status.target_url ?? status.log_url ?? (repository.html_url ? `${repository.html_url}/commit/${deployment.sha}` : undefined);
  return {
    event: {
      id: `github:deployment-status:${String(status.id)}`,
      service: service.name,
      kind: details.kind ?? 'deploy',
      description: environment ? `${said} (to ${environment})` : said,
      at: status.updated_at ?? status.created_at ?? now,
      version,
      origin: 'github',
      ...(url ? { url } : {}),
      ...(author ? { author } : {}),
    },
  };
}
