import type { Redis } from 'ioredis';
import { createChatModel } from '../agent/chat-model.js';
import { createTools } from '../agent/tools/create-tools.js';
import type { Config } from '../config.js';
import type { AnswerDependencies } from '../conversations/deterministic-answer.js';
import type { InvestigationDependencies } from '../conversations/investigate.js';
import { liveRootCauses } from '../conversations/live-root-causes.js';
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
