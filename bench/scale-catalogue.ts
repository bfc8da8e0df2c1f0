import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CATALOGUE_PATH } from '../src/catalogue.js';

/**
 * A catalogue of `count` services for `npm run bench:scale`: the example catalogue (the simulated
 * shop, its queries, teams and policies) with its ten services cloned into shards of ten,
 * `frontend-00000`, `checkout-00000`, …, `cache-00000`, `frontend-00001`, … Each clone keeps its
 * original's namespace, deployment, team and channel, and calls the clones of its original's
 * dependencies in its own shard (a last, partial shard drops calls to clones it lacks). The
 * simulated metrics answer for a service by its namespace and deployment, so every clone scores
 * the same series as its original: the work per service is real, the numbers repeat every ten.
 * `originals` clones a subset instead (shards of that many).
 */
export function scaleCatalogue(count: number, options: ScaleCatalogueOptions = {}): string {
  if (!Number.isInteger(count) || count < 1) throw new Error(`expected a whole number of services of at least 1, got ${count}`);
  const example = parse(options.exampleText ?? readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8')) as { services: Record<string, ExampleService> } & Record<string, unknown>;
  const unknown = (options.originals ?? []).filter((name) => !Object.hasOwn(example.services, name));
  if (unknown.length > 0) throw new Error(`unknown service(s) ${unknown.join(', ')}; the example catalogue has ${Object.keys(example.services).join(', ')}`);
  const originals = Object.entries(example.services).filter(([name]) => options.originals === undefined || options.originals.includes(name));
  const width = Math.max(5, String(Math.ceil(count / originals.length) - 1).length);
  const cloneName = (original: string, shard: number) => `${original}-${String(shard).padStart(width, '0')}`;
  const wanted = new Set<string>();
  for (let index = 0; index < count; index += 1) wanted.add(cloneName(originals[index % originals.length]![0], Math.floor(index / originals.length)));
  const services: Record<string, ExampleService> = {};
  for (let index = 0; index < count; index += 1) {
    const [original, service] = originals[index % originals.length]!;
    const shard = Math.floor(index / originals.length);
    const dependencies = (service.dependencies ?? []).map((dependency) => cloneName(dependency, shard)).filter((clone) => wanted.has(clone));
    services[cloneName(original, shard)] = { namespace: service.namespace, deployment: service.deployment, team: service.team, channel: service.channel, ...(dependencies.length > 0 ? { dependencies } : {}) };
  }
  return stringify({ ...example, services }, { lineWidth: 0 });
}

export interface ScaleCatalogueOptions {
  /** Clone only these of the example's services (default all ten), e.g. those a scenario's fault leaves alone. */
  originals?: string[];
  /** The catalogue cloned (default deploy/catalogue.example.yml). */
  exampleText?: string;
}

interface ExampleService {
  namespace: string;
  deployment: string;
  team: string;
  channel: string;
  dependencies?: string[];
}
