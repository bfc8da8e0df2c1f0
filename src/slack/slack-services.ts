import type { Redis } from 'ioredis';
import type { Catalogue } from '../catalogue.js';
import type { InvestigationDependencies } from '../conversations/investigate.js';
import type { StatusDependencies } from '../conversations/estate-status.js';
import type { Logger } from '../logger.js';
import type { ActionProposals } from '../state/action-proposals.js';
import type { AuditLog } from '../state/audit-log.js';
import type { SilenceStore } from '../state/silence-store.js';
import type { ThreadContext } from '../state/thread-context.js';
import type { IncidentAcknowledgements } from '../state/incident-acknowledgements.js';
import type { IncidentStore } from '../state/incident-store.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { QueryLinks } from './blocks/query-links.js';
import type { ChannelPacer } from './channel-pacer.js';
import type { IncidentNotifierDependencies } from './incident-notifier.js';

/** What the Slack listeners call: the domain behind the chat surface. */
export interface SlackServices {
  catalogue: Catalogue;
  /** Answers questions: the agent when an LLM is configured, the root-cause engine otherwise. */
  investigation: InvestigationDependencies;
  /** Actions the agent proposed, for "Request approval"; absent without an LLM (the engine proposes nothing). */
  proposals?: ActionProposals;
  /** Where answers link their queries to (Prometheus, Kibana), when configured. */
  queryLinks?: QueryLinks;
  status: StatusDependencies;
  silences: SilenceStore;
  audit: AuditLog;
  threads: ThreadContext;
  redis: Redis;
  /** Key prefix of this deployment's state in Redis. */
  prefix: string;
  now: () => number;
  pacer: ChannelPacer;
  logger: Logger;
  /** Incidents and who acknowledged them; absent, incident messages are not managed from this process. */
  incidents?: IncidentStore;
  acknowledgements?: IncidentAcknowledgements;
  /** What the incident messages need beyond the above; absent, this process posts none. */
  incidentMessages?: Pick<IncidentNotifierDependencies, 'incidents' | 'outbox' | 'acknowledgements' | 'escalations' | 'context' | 'attachment' | 'resolution'>;
  /** Where Web API calls and answered questions are counted for /metrics; absent, nothing is. */
  metrics?: Metrics;
}
