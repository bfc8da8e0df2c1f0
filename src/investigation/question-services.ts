import type { Catalogue } from '../catalogue.js';

/** What stands in the question's text for a catalogued service once it is recognised, so no other rule reads it again. */
export const SERVICE_PLACEHOLDER = '@';

/**
 * The catalogued services a question names: by name, deployment or alias, also written with spaces,
 * without the dash or in the plural ("order service", "orderservice", "payments", "the db"). Longest
 * names first, so "order-service" wins over a hypothetical "order".
 */
export function servicesInQuestion(catalogue: Catalogue, question: string): string[] {
  return matchServicesInQuestion(catalogue, question).services;
}

/**
 * The services a question is about: those it names, else the thread's catalogued ones ("what is it
 * logging?" in a thread about payment); in the catalogue's order, as every list of services the bot
 * shows. Empty when it names none and the thread has none.
 */
export function servicesAskedAbout(catalogue: Catalogue, named: readonly string[], threadServices: readonly string[]): string[] {
  const asked = named.length > 0 ? named : threadServices;
  return Object.keys(catalogue.services).filter((service) => asked.includes(service));
}

/** The services a question names, and its text (lower case, punctuation as spaces) with each of them replaced by SERVICE_PLACEHOLDER. */
export function matchServicesInQuestion(catalogue: Catalogue, question: string): { services: string[]; rest: string } {
  const services: string[] = [];
  const names = Object.values(catalogue.services).sort((left, right) => right.name.length - left.name.length);
  // "can't" reads as one word, "cant", not as "can" and a stray "t".
  let rest = ` ${question.toLowerCase().replace(/['’]/g, '').replace(/[^a-z0-9-]+/g, ' ')} `;
  for (const service of names) {
    const spellings = new Set([service.name, service.deployment, ...service.aliases].flatMap((name) => [name, name.replace(/-/g, ' '), name.replace(/-/g, '')]));
    for (const spelling of spellings) {
      const pattern = new RegExp(`(^|[^a-z0-9-])${spelling.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}s?(?=[^a-z0-9-]|$)`);
      if (pattern.test(rest)) {
        services.push(service.name);
        rest = rest.replace(pattern, `$1${SERVICE_PLACEHOLDER}`);
        break;
      }
    }
  }
  return { services, rest };
}
