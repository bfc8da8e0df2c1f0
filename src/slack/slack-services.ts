import type { HistoryDatabase } from '../history/history-database.js';
import type { ChannelDirectory } from '../access/channel-directory.js';
import type { GroupDirectory } from '../access/group-directory.js';
import type { Catalogue } from '../catalogue.js';
import type { Healing } from '../healing/healing.js';
import type { IncidentDetails } from '../incidents/incident-details.js';
import type { Incidents } from '../incidents/incidents.js';
import type { InvestigationDependencies } from '../investigation/investigate.js';
import type { StatusDependencies } from '../investigation/estate-status.js';
import type { Logger } from '../logger.js';
import type { Stores } from '../state/stores.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { QueryLinks } from './blocks/query-links.js';
import type { ChannelPacer } from './channel-pacer.js';

/** The stores the Slack surface reads and writes itself: what is Slack's own (threads, App Home, deliveries) and what its messages show. */
export type SlackStores = Pick<Stores, 'incidents' | 'outbox' | 'acknowledgements' | 'escalations' | 'audit' | 'threads' | 'proposals' | 'remediations' | 'minedLogs' | 'homeViewers' | 'slackDeliveries' | 'changes' | 'forecasts' | 'claims'>;

/** What the Slack listeners call: the domain behind the chat surface. */
export interface SlackServices {
  catalogue: Catalogue;
  /** The incident use cases the buttons and `/aiops silence|unsilence` call, through AuthorisedIncidents. */
  incidents: Pick<Incidents, 'get' | 'acknowledge' | 'resolve' | 'silence' | 'unsilence'>;
  /** Who is in the catalogue's user groups; absent, Slack's usergroups.users.list is asked (see slackAccess). */
  groups?: GroupDirectory;
  /** Who is in the catalogue's channels; absent, Slack's conversations.members is asked. */
  channels?: ChannelDirectory;
  /** What incident messages show beyond the incident; absent, they show the incident alone. */
  incidentDetails?: IncidentDetails;
  /** Answers questions: the agent when an LLM is configured, the root-cause engine otherwise. */
  investigation: InvestigationDependencies;
  /** Where answers link their queries to (Prometheus, Kibana), when configured. */
  queryLinks?: QueryLinks;
  /** What `/aiops status`, `/aiops incidents` and App Home show. */
  status: StatusDependencies;
  stores: SlackStores;
  now: () => number;
  pacer: ChannelPacer;
  logger: Logger;
  /** Where Web API calls and answered questions are counted for /metrics; absent, nothing is. */
  metrics?: Metrics;
  /** The PostgreSQL history `/aiops history` and the digest read (DATABASE_URL); absent, they say it is not configured. */
  history?: Pick<HistoryDatabase, 'summary'>;
  /** Remediation, built with the surface's group directory (who may approve); absent, nothing can be requested or approved. */
  healing?: (directory: GroupDirectory) => Healing;
}
