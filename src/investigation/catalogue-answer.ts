import { catalogueService, runbooksOf, type Catalogue, type CatalogueService } from '../catalogue.js';
import type { AlertSeverity } from '../severity.js';
import type { Answer } from './answer.js';
import { catalogueQuestion, type CatalogueTopic } from './catalogue-question.js';
import { servicesInQuestion } from './question-services.js';
import { unknownServicesInQuestion } from './unknown-services.js';

/**
 * The answer to a question about the estate's layout ("who owns payment?", "who is on call for
 * the db?", "what does checkout depend on?", "what calls payment?"), from the catalogue alone: at
 * once, the same with or without an LLM. Undefined for any other question, and for one that names
 * only services the catalogue does not hold (the investigation says so, with the close names).
 */
export function catalogueAnswer(catalogue: Catalogue, question: string, threadServices: readonly string[]): Answer | undefined {
  // The layout's words first: most questions have none, and are left at once.
  const asked = catalogueQuestion(catalogue, question, threadServices);
  if (!asked) return undefined;
  if (unknownServicesInQuestion(catalogue, question).length > 0 && servicesInQuestion(catalogue, question).length === 0) return undefined;
  const services = asked.services.flatMap((name) => catalogueService(catalogue, name) ?? []);
  if (services.length === 0) return undefined;
  const line = (service: CatalogueService, topic: CatalogueTopic) => FACT_LINES[topic](catalogue, service);
  const [only] = services;
  // One service: the line that answers first, then the rest of its card. Several: that line for each.
  const conclusion = services.length === 1 && only ? line(only, asked.topic) : MANY_HEADLINES[asked.topic](describeServices(catalogue, services));
  const facts = services.length === 1 && only ? TOPICS.filter((topic) => topic !== asked.topic).map((topic) => line(only, topic)) : services.map((service) => line(service, asked.topic));
  const runbooks = runbooksOf(catalogue, services.map((service) => service.name));
  return {
    question,
    services: services.map((service) => service.name),
    stage: 'done',
    steps: [],
    conclusion,
    facts,
    ...(runbooks.length > 0 ? { runbooks } : {}),
    servicesInAnomaly: [],
    recentChanges: [],
    suggestions: [],
    method: 'catalogue',
  };
}

/** The order of a service's card. */
const TOPICS: readonly CatalogueTopic[] = ['owner', 'paging', 'calls', 'callers'];

const MANY_HEADLINES: Readonly<Record<CatalogueTopic, (services: string) => string>> = {
  owner: (services) => `Who owns ${services}`,
  paging: (services) => `Who is paged for ${services}`,
  calls: (services) => `What ${services} call`,
  callers: (services) => `What calls ${services}`,
};

/** "payment and checkout", or "the 10 catalogued services" when the question named none. */
function describeServices(catalogue: Catalogue, services: readonly CatalogueService[]): string {
  if (services.length === Object.keys(catalogue.services).length) return `the ${services.length} catalogued services`;
  const names = services.map((service) => service.name);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
}

const FACT_LINES: Readonly<Record<CatalogueTopic, (catalogue: Catalogue, service: CatalogueService) => string>> = {
  owner: (_, service) => `${service.name} is owned by team ${service.team}; its incidents go to ${service.channel} (Deployment ${service.deployment} in namespace ${service.namespace})`,
  paging: pagingLine,
  calls: (catalogue, service) => {
    const { direct, further } = reach(catalogue, service.name, (name) => catalogueService(catalogue, name)?.dependencies ?? []);
    if (direct.length === 0) return `${service.name} calls no catalogued service`;
    return `${service.name} calls ${direct.join(', ')}${further.length > 0 ? `, and through ${direct.length === 1 ? 'it' : 'them'} ${further.join(', ')}` : ''}`;
  },
  callers: (catalogue, service) => {
    const callersOf = (name: string) => Object.values(catalogue.services).filter((caller) => caller.dependencies.includes(name)).map((caller) => caller.name);
    const { direct, further } = reach(catalogue, service.name, callersOf);
    if (direct.length === 0) return `No catalogued service calls ${service.name}`;
    return `${service.name} is called by ${direct.join(', ')}${further.length > 0 ? `, and through ${direct.length === 1 ? 'it' : 'them'} by ${further.join(', ')}` : ''}`;
  },
};

/**
 * The services one step away, then those further along, each once: the call graph may have
 * cycles, and a service reached directly is not listed again as reached through another.
 */
function reach(catalogue: Catalogue, start: string, next: (name: string) => readonly string[]): { direct: string[]; further: string[] } {
  const direct = [...new Set(next(start))].filter((name) => name !== start);
  const seen = new Set([start, ...direct]);
  const further: string[] = [];
  for (let frontier = direct; frontier.length > 0; ) {
    const following: string[] = [];
    for (const name of frontier.flatMap(next)) {
      if (seen.has(name) || !Object.hasOwn(catalogue.services, name)) continue;
      seen.add(name);
      further.push(name);
      following.push(name);
    }
    frontier = following;
  }
  return { direct, further };
}

const SEVERITIES_FROM: Readonly<Record<AlertSeverity, string>> = { critical: 'critical incidents', warning: 'warning and critical incidents', info: 'all incidents' };

/**
 * Who is paged for a service's incidents: the routes whose services and teams take it in (as
 * page-plan.ts routes an incident touching only it), and the escalation rules that page anyone.
 */
function pagingLine(catalogue: Catalogue, service: CatalogueService): string {
  const paging = catalogue.paging;
  const routes = (paging?.routes ?? []).filter((route) => (!route.services || route.services.includes(service.name)) && (!route.teams || route.teams.includes(service.team)));
  const receiverKind = (name: string) => (paging?.receivers[name]?.type === 'opsgenie' ? 'Opsgenie' : 'PagerDuty');
  const routed = routes.map((route) => `${SEVERITIES_FROM[route.minimumSeverity]} on ${service.name} page ${route.receiver} (${receiverKind(route.receiver)})`);
  const escalated = catalogue.alerting.escalation
    .filter((rule) => (rule.page ?? []).length > 0)
    .map((rule) => `escalation rule "${rule.name}" pages ${(rule.page ?? []).map((name) => `${name} (${receiverKind(name)})`).join(', ')} when it fires`);
  if (routed.length === 0 && escalated.length === 0) return `Nobody is paged for ${service.name}: no paging route takes it in, so its incidents are posted in ${service.channel} only`;
  const [first = '', ...others] = [...routed, ...escalated];
  return [`${first.charAt(0).toUpperCase()}${first.slice(1)}`, ...others].join('; ');
}
