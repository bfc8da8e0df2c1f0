import type { IncidentDetails } from '../incidents/incident-details.js';
import { heldBackContext } from './blocks/held-back-context.js';
import { logTemplatesMessage } from './blocks/log-templates-message.js';
import { resolutionMessage } from './blocks/resolution-message.js';
import type { IncidentNotifierDependencies } from './incident-notifier.js';

/**
 * The incident details rendered for the notifier: the root message's context lines (alerts held
 * back by a silence, from when to when, first; then log findings, a new error template often being
 * the plainest clue; the cluster's changes last), the origin's top log templates in a new
 * incident's thread, and the closing summary of a resolved one.
 */
export function incidentMessageParts(details: IncidentDetails): Pick<IncidentNotifierDependencies, 'context' | 'attachment' | 'resolution'> {
  return {
    context: async (incident) => [...heldBackContext(await details.releasedAlerts(incident)), ...(await details.logEvidence(incident)), ...(await details.clusterContext(incident))],
    attachment: async (incident) => {
      const summary = await details.originLogTemplates(incident);
      return summary ? logTemplatesMessage(summary) : undefined;
    },
    resolution: async (incident) => resolutionMessage(await details.resolutionSummary(incident)),
  };
}
