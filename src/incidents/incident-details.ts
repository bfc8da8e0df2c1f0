import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Incident } from '../alerts/correlate.js';
import { incidentLogEvidence } from '../alerts/incident-log-evidence.js';
import { releasedInto, type ReleasedAlert } from '../alerts/suppression.js';
import type { Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import type { TemplateSummary } from '../logs/template-summary.js';
import type { Cluster } from '../sources/cluster.js';
import { recentChanges } from '../sources/recent-changes.js';
import type { Stores } from '../state/stores.js';
import { incidentContext } from './incident-context.js';
import { resolutionSummary, type ResolutionSummary } from './resolution-summary.js';
import { writeResolutionNarrative } from './write-resolution-narrative.js';

export interface IncidentDetailsDependencies {
  /** `changeEvents` absent: the context and summaries tell the cluster's changes alone. */
  stores: Pick<Stores, 'heldAlerts' | 'logFindings' | 'minedLogs'> & Partial<Pick<Stores, 'changeEvents'>>;
  cluster: Cluster;
  catalogue: Catalogue;
  /** The incidents' clock. */
  now: () => number;
  /** Writes a few sentences on top of a resolution summary; absent without an LLM. */
  model?: BaseChatModel;
  logger: Logger;
}

/** How long the LLM may take over a resolution summary before the record's own version is posted. */
const NARRATIVE_TIME_LIMIT_MILLISECONDS = 20_000;
/** Log templates of the likely origin shown in a new incident's thread. */
const ORIGIN_TEMPLATES_SHOWN = 5;

/**
 * What an incident's messages tell beyond the incident itself, read when they are drawn: alerts a
 * silence held back, the log findings and cluster changes around it, what its likely origin has
 * been logging, and the story once it is resolved. The Slack surface renders them.
 */
export class IncidentDetails {
  constructor(private readonly dependencies: IncidentDetailsDependencies) {}

  /** The incident's alerts that a silence or maintenance window held back before they were raised. */
  async releasedAlerts(incident: Incident): Promise<ReleasedAlert[]> {
    return releasedInto(incident, await this.dependencies.stores.heldAlerts.released(Object.keys(incident.alerts)));
  }

  /** Log findings of its services, as context lines; a new error template is often the plainest clue. */
  logEvidence(incident: Incident): Promise<string[]> {
    return incidentLogEvidence(incident, (service, since) => this.dependencies.stores.logFindings.since(service, since));
  }

  /** What happened in the cluster around it (deploys, scaling, warnings) and what CI/CD reported changing, as context lines. */
  clusterContext(incident: Incident): Promise<string[]> {
    const { cluster, catalogue, now, stores } = this.dependencies;
    return incidentContext(cluster, catalogue, incident, now(), stores.changeEvents ? { changeEvents: stores.changeEvents } : {});
  }

  /** What the likely origin has been logging: the first thing an SRE would look up. Undefined without an origin or without lines. */
  async originLogTemplates(incident: Incident): Promise<TemplateSummary | undefined> {
    if (incident.origin === undefined) return undefined;
    const summary = await this.dependencies.stores.minedLogs.templateSummary(incident.origin, { now: this.dependencies.now(), limit: ORIGIN_TEMPLATES_SHOWN });
    return summary.rows.length > 0 ? summary : undefined;
  }

  /**
   * The story of a resolved incident: from its record and the changes made to its services while
   * it was open, with a few sentences by the LLM on top when one is configured and answers in time.
   */
  async resolutionSummary(incident: Incident): Promise<ResolutionSummary> {
    const { catalogue, cluster, model, logger, stores } = this.dependencies;
    const services = incident.services.map((name) => catalogue.services[name]).filter((service) => service !== undefined);
    const summary = resolutionSummary(incident, await recentChanges(cluster, services, incident.firstSeen, stores.changeEvents));
    if (model) {
      summary.narrative = await writeResolutionNarrative(model, summary, AbortSignal.timeout(NARRATIVE_TIME_LIMIT_MILLISECONDS)).catch((error: unknown) => {
        logger.warn({ incident: incident.id, error: (error as Error).message }, 'the LLM did not write the resolution summary; posting the record');
        return undefined;
      });
    }
    return summary;
  }
}
