import { serviceNamed, type Catalogue, type CatalogueService } from '../catalogue.js';
import { AiopsError, ErrorCode } from '../errors.js';
import { suggestServices } from '../service-suggestions.js';

/** Catalogued names listed in a refusal at most: enough to see the spelling the catalogue uses. */
const NAMES_LISTED = 8;

/**
 * The catalogued service a sender means: a service of that name or alias, or else the one service
 * whose Deployment has that name (in `namespace` when the sender says one), since pipelines and
 * Argo CD applications are usually named after what they deploy.
 */
export function changedService(catalogue: Catalogue, name: string, namespace?: string): CatalogueService | undefined {
  const named = serviceNamed(catalogue, name);
  if (named) return named;
  const byDeployment = Object.values(catalogue.services).filter((service) => service.deployment === name && (namespace === undefined || service.namespace === namespace));
  return byDeployment.length === 1 ? byDeployment[0] : undefined;
}

/**
 * The refusal of a change to a service the catalogue does not hold, naming the field it came from
 * and the names meant or, failing a close one, the names there are. A NotFound error: the webhook
 * answers it with a 422, since the payload is well formed but names nothing it can file.
 */
export function unknownServiceError(catalogue: Catalogue, field: string, name: string, how: string): AiopsError {
  const close = suggestServices(catalogue, name);
  const names = Object.keys(catalogue.services);
  const listed = close.length > 0 ? `did you mean ${close.join(', ')}?` : `catalogued: ${names.slice(0, NAMES_LISTED).join(', ')}${names.length > NAMES_LISTED ? ', …' : ''}`;
  return new AiopsError(ErrorCode.NotFound, `${field}: unknown service ${JSON.stringify(name)}; expected ${how} (${listed})`);
}
