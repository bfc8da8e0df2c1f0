import type { Redis } from 'ioredis';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Incident } from '../alerts/correlate.js';
import { createChatModel } from '../agent/chat-model.js';
import { writeResolutionNarrative } from '../agent/write-resolution-narrative.js';
import { createTools } from '../agent/tools/create-tools.js';
import type { Config } from '../config.js';
import type { AnswerDependencies } from '../conversations/deterministic-answer.js';
import type { InvestigationDependencies } from '../conversations/investigate.js';
import { liveRootCauses } from '../conversations/live-root-causes.js';
import { recentChanges } from '../conversations/recent-changes.js';
import { resolutionSummary } from '../conversations/resolution-summary.js';
import { resolutionMessage } from '../slack/blocks/resolution-message.js';
import type { BlockMessage } from '../slack/blocks/limits.js';
import type { Logger } from '../logger.js';
import type { Sources } from '../sources/create-sources.js';
import { ActionProposals } from '../state/action-proposals.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { IncidentStore } from '../state/incident-store.js';
import type { LogFindingLog } from '../state/log-finding-log.js';

export interface InvestigationStores {
  redis: Redis;
  prefix: string;
  anomalies: AnomalyLog;
  logFindings: LogFindingLog;
  incidents?: IncidentStore;
  now: () => number;
}

/**
 * What answers questions, wired from the configuration: the root-cause engine over the sources
 * always, and the agent with every read-only tool when an OpenAI-compatible endpoint is set.
 */
export function createInvestigation(config: Config, sources: Sources, stores: InvestigationStores, logger: Logger): InvestigationDependencies {
  const answers: AnswerDependencies = {
    catalogue: config.catalogue,
    cluster: sources.cluster,
    metrics: sources.metrics,
    logs: sources.logs,
    anomalies: stores.anomalies,
    logFindings: stores.logFindings,
    now: stores.now,
  };
  if (!config.llm) return { answers, logger };
  const proposals = new ActionProposals(stores.redis, stores.prefix);
  const tools = createTools({
    catalogue: config.catalogue,
    metrics: sources.metrics,
    logs: sources.logs,
    cluster: sources.cluster,
    anomalies: stores.anomalies,
    incidents: stores.incidents,
    logFindings: stores.logFindings,
    redis: stores.redis,
    prefix: stores.prefix,
    proposals,
    rankRootCauses: liveRootCauses(answers),
    now: stores.now,
  });
  return { answers, agent: { model: createChatModel(config.llm), tools, proposals }, logger };
}

/** How long the LLM may take over a resolution summary before the record's own version is posted. */
const NARRATIVE_TIME_LIMIT_MILLISECONDS = 20_000;

/**
 * The closing note of a resolved incident's thread: from the incident record and the changes made
 * to its services while it was open, with a few sentences by the LLM on top when one is configured
 * and answers in time.
 */
export function createResolutionNote(config: Config, sources: Sources, model: BaseChatModel | undefined, logger: Logger): (incident: Incident) => Promise<BlockMessage> {
  return async (incident) => {
    const services = incident.services.map((name) => config.catalogue.services[name]).filter((service) => service !== undefined);
    const summary = resolutionSummary(incident, await recentChanges(sources.cluster, services, incident.firstSeen));
    if (model) {
      summary.narrative = await writeResolutionNarrative(model, summary, AbortSignal.timeout(NARRATIVE_TIME_LIMIT_MILLISECONDS)).catch((error: unknown) => {
        logger.warn({ incident: incident.id, error: (error as Error).message }, 'the LLM did not write the resolution summary; posting the record');
        return undefined;
      });
    }
    return resolutionMessage(summary);
  };
}
