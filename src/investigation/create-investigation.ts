import { createChatModel } from '../agent/chat-model.js';
import { createTools } from '../agent/tools/create-tools.js';
import type { Config } from '../config.js';
import type { AnswerDependencies } from './deterministic-answer.js';
import type { InvestigationDependencies } from './investigate.js';
import { liveRootCauses } from './live-root-causes.js';
import type { Logger } from '../logger.js';
import type { Sources } from '../sources/create-sources.js';
import type { IncidentStore } from '../state/incident-store.js';
import type { Stores } from '../state/stores.js';
import type { ModelCall } from '../telemetry/metrics.js';

/** The stores answers read; `incidents` absent where incidents are not correlated (list_incidents then answers no-data). */
export type InvestigationStores = Pick<Stores, 'anomalies' | 'logFindings' | 'minedLogs' | 'proposals'> & { incidents?: IncidentStore; forecasts?: Stores['forecasts']; changeEvents?: Stores['changeEvents'] };

/**
 * What answers questions, wired from the configuration: the root-cause engine over the sources
 * always, and the agent with every read-only tool when an OpenAI-compatible endpoint is set.
 */
export function createInvestigation(
  config: Config,
  sources: Sources,
  stores: InvestigationStores,
  now: () => number,
  logger: Logger,
  /** Told of every request to the model, for the bot's own metrics. */
  onModelCall?: (call: ModelCall) => void,
): InvestigationDependencies {
  const answers: AnswerDependencies = {
    catalogue: config.catalogue,
    cluster: sources.cluster,
    metrics: sources.metrics,
    logs: sources.logs,
    anomalies: stores.anomalies,
    logFindings: stores.logFindings,
    ...(sources.traces ? { traces: sources.traces } : {}),
    ...(stores.changeEvents ? { changeEvents: stores.changeEvents } : {}),
    now,
  };
  if (!config.llm) return { answers, proposals: stores.proposals, logger };
  const toolDependencies = {
    catalogue: config.catalogue,
    metrics: sources.metrics,
    logs: sources.logs,
    ...(sources.traces ? { traces: sources.traces } : {}),
    cluster: sources.cluster,
    anomalies: stores.anomalies,
    incidents: stores.incidents,
    logFindings: stores.logFindings,
    minedLogs: stores.minedLogs,
    proposals: stores.proposals,
    rankRootCauses: liveRootCauses(answers),
    ...(stores.forecasts ? { forecasts: stores.forecasts } : {}),
    now,
  };
  return { answers, proposals: stores.proposals, agent: { model: createChatModel(config.llm, onModelCall ? { onCall: onModelCall } : {}), tools: createTools(toolDependencies), proposals: stores.proposals, toolDependencies }, logger };
}
