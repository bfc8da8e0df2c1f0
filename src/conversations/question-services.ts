import type { Catalogue } from '../catalogue.js';

/**
 * The catalogued services a question names: by name or deployment, also written with spaces or
 * without the dash ("order service", "orderservice"). Longest names first, so "order-service"
 * wins over a hypothetical "order".
 */
export function servicesInQuestion(catalogue: Catalogue, question: string): string[] {
  const text = ` ${question.toLowerCase().replace(/[^a-z0-9-]+/g, ' ')} `;
  const found: string[] = [];
  const names = Object.values(catalogue.services).sort((left, right) => right.name.length - left.name.length);
  let remaining = text;
  for (const service of names) {
    const spellings = new Set([service.name, service.deployment].flatMap((name) => [name, name.replace(/-/g, ' '), name.replace(/-/g, '')]));
    for (const spelling of spellings) {
      const pattern = new RegExp(`(^|[^a-z0-9-])${spelling.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[^a-z0-9-]|$)`);
      if (pattern.test(remaining)) {
        found.push(service.name);
        remaining = remaining.replace(pattern, '$1 ');
        break;
      }
    }
  }
  return found;
}
