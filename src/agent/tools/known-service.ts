import { catalogueService, type Catalogue, type CatalogueService } from '../../catalogue.js';
import { suggestServices } from '../../service-suggestions.js';
import type { ToolResult } from '../tool.js';

export type ServiceLookup = { service: CatalogueService; failure?: undefined } | { service?: undefined; failure: ToolResult };

/**
 * The catalogued service the model named, or an error listing the known ones and the close
 * matches: models guess names ("orders", "order_service"), and the list is what lets the next call get it right.
 */
export function knownService(catalogue: Catalogue, name: string): ServiceLookup {
  // Own keys only: a model (or a log line it read) naming `constructor` gets the list, not Object.
  const service = catalogueService(catalogue, name);
  if (service) return { service };
  return { failure: unknownServices(catalogue, [name]) };
}

export function unknownServices(catalogue: Catalogue, names: string[]): ToolResult {
  const quoted = names.map((name) => `"${name}"`).join(', ');
  const noun = names.length === 1 ? 'service' : 'services';
  const suggestions = [...new Set(names.flatMap((name) => suggestServices(catalogue, name)))];
  const meant = suggestions.length > 0 ? `. Did you mean ${suggestions.join(' or ')}?` : '';
  return { status: 'error', output: `Unknown ${noun} ${quoted}; known services: ${Object.keys(catalogue.services).sort().join(', ')}${meant}` };
}
