import { seesIncident, seesService, visibleCatalogue, type Visibility } from '../access/visibility.js';
import { createTools } from '../agent/tools/create-tools.js';
import type { InvestigationDependencies } from './investigate.js';
import { liveRootCauses } from './live-root-causes.js';

/**
 * An investigation that reads only what one asker may see: the catalogue holds only their
 * services (a question about another is answered as about an unknown service, and every tool that
 * takes a service refuses it), anomalies, log findings and incidents of other services are not
 * read, the root-cause ranking ranks their services only, and free PromQL, which could read any
 * series, is not offered. Everything visible: the investigation as it was.
 */
export function scopedInvestigation(dependencies: InvestigationDependencies, visibility: Visibility): InvestigationDependencies {
  if (visibility.everything) return dependencies;
  const full = dependencies.answers.catalogue;
  const catalogue = visibleCatalogue(full, visibility);
  const anomalies = { since: async (since: number) => (await dependencies.answers.anomalies.since(since)).filter((anomaly) => seesService(visibility, anomaly.service)) };
  const answers = { ...dependencies.answers, catalogue, anomalies };
  const agent = dependencies.agent;
  if (!agent?.toolDependencies) return { ...dependencies, answers, ...(agent ? { agent: { ...agent, tools: agent.tools.filter((tool) => tool.name !== 'promql_query') } } : {}) };
  const store = agent.toolDependencies.incidents;
  const incidents = store && {
    all: async () => (await store.all()).filter((incident) => seesIncident(visibility, incident, full)),
    open: async () => (await store.open()).filter((incident) => seesIncident(visibility, incident, full)),
  };
  const tools = createTools({ ...agent.toolDependencies, catalogue, anomalies, ...(incidents ? { incidents } : {}), rankRootCauses: liveRootCauses(answers) }).filter((tool) => tool.name !== 'promql_query');
  return { ...dependencies, answers, agent: { ...agent, tools } };
}
