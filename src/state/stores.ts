import type { Redis } from 'ioredis';
import type { Catalogue } from '../catalogue.js';
import { pagingConfigured } from '../paging-settings.js';
import { ActionProposals } from './action-proposals.js';
import { ActiveAnomalies } from './active-anomalies.js';
import { ApiQuestions } from './api-questions.js';
import { AnomalyLog } from './anomaly-log.js';
import { AuditLog } from './audit-log.js';
import { ChangeEventStore } from './change-event-store.js';
import { RemediationRequests } from './remediation-requests.js';
import { DetectionStore } from './detection-store.js';
import { ForecastStore } from './forecast-store.js';
import { HeldAlertStore } from './held-alert-store.js';
import { HistoryProgress } from './history-progress.js';
import { HomeViewers } from './home-viewers.js';
import { IncidentAcknowledgements } from './incident-acknowledgements.js';
import { IncidentEscalations } from './incident-escalations.js';
import { IncidentOutbox } from './incident-outbox.js';
import { IncidentStore, type IncidentStoreOptions } from './incident-store.js';
import { PageOutbox } from './page-outbox.js';
import { LogFindingLog } from './log-finding-log.js';
import { MinedLogs } from './mined-logs.js';
import { ModelStore } from './model-store.js';
import { SilenceStore } from './silence-store.js';
import { SlackDeliveries } from './slack-deliveries.js';
import { SourceOutages } from './source-outages.js';
import { StateChanges } from './state-changed.js';
import { ThreadContext } from './thread-context.js';
import { WorkClaims } from './work-claims.js';

/**
 * Every store of the bot's state, built once over one connection and one key prefix: the rest of
 * the code receives these (or the few it needs) and never a Redis client or a key.
 */
export interface Stores {
  /** Incidents as correlation left them, shared by every replica. */
  incidents: IncidentStore;
  /** Incident changes waiting to be shown in Slack (and, when the catalogue pages anyone, to be paged). */
  outbox: IncidentOutbox;
  /** Incidents waiting to be paged, and what each receiver was last told. */
  pages: PageOutbox;
  acknowledgements: IncidentAcknowledgements;
  /** Which escalation rules fired for which incident. */
  escalations: IncidentEscalations;
  silences: SilenceStore;
  /** Alerts held back by a silence or a maintenance window. */
  heldAlerts: HeldAlertStore;
  audit: AuditLog;
  /** Recent anomalies, for everything that shows what is wrong now. */
  anomalies: AnomalyLog;
  /** Anomalies still going on, followed by detection pass after pass. */
  activeAnomalies: ActiveAnomalies;
  /** The detectors' memory between passes. */
  detection: DetectionStore;
  /** Trained multivariate models. */
  models: ModelStore;
  /** The latest capacity forecast of each service and signal. */
  forecasts: ForecastStore;
  /** Recent log findings, as evidence. */
  logFindings: LogFindingLog;
  /** Log mining's cursors, miners, templates and counts. */
  minedLogs: MinedLogs;
  /** Once-only emissions and per-service leases of the workers. */
  claims: WorkClaims;
  /** Sources the workers cannot read right now (Prometheus down), so that each outage is reported once. */
  sourceOutages: SourceOutages;
  /** What each Slack thread was about. */
  threads: ThreadContext;
  /** Actions the agent proposed, waiting for a person. */
  proposals: ActionProposals;
  /** Remediation requests from proposal to verification, the kill switch and the circuit breaker. */
  remediations: RemediationRequests;
  /** Who looks at App Home. */
  homeViewers: HomeViewers;
  /** Slack events already answered. */
  slackDeliveries: SlackDeliveries;
  /** Announcements to the process talking to Slack. */
  changes: StateChanges;
  /** CI/CD change events (deploys, configuration changes) per service, as evidence beside the cluster's rollouts. */
  changeEvents: ChangeEventStore;
  /** Questions asked through the HTTP API, and their answers. */
  questions: ApiQuestions;
  /** How far the copy to the PostgreSQL history has come. */
  historyProgress: HistoryProgress;
}

export interface StoresOptions {
  /** The catalogue correlation reads (services, call graph, correlation rules). */
  catalogue: Catalogue;
  /** The incident store's settings (retention, clocks, retries); its defaults otherwise. */
  incidents?: IncidentStoreOptions;
  /**
   * Simulated seconds per real second of the sources' clock (default 1). Log counts expire in
   * Redis's real time; a world playing faster keeps them that much shorter.
   */
  clockSpeed?: number;
}

/**
 * The stores over `redis`, every key under `prefix`. The incident store opens a connection of its
 * own for its transactions on first use: close it with `stores.incidents.close()`.
 */
export function createStores(redis: Redis, prefix: string, options: StoresOptions): Readonly<Stores> {
  return Object.freeze({
    incidents: new IncidentStore(redis, prefix, options.catalogue, options.incidents),
    outbox: new IncidentOutbox(redis, prefix, { paging: pagingConfigured(options.catalogue.paging) }),
    pages: new PageOutbox(redis, prefix),
    acknowledgements: new IncidentAcknowledgements(redis, prefix),
    escalations: new IncidentEscalations(redis, prefix),
    silences: new SilenceStore(redis, prefix),
    heldAlerts: new HeldAlertStore(redis, prefix),
    audit: new AuditLog(redis, prefix),
    anomalies: new AnomalyLog(redis, prefix),
    activeAnomalies: new ActiveAnomalies(redis, prefix),
    detection: new DetectionStore(redis, prefix),
    models: new ModelStore(redis, prefix),
    forecasts: new ForecastStore(redis, prefix),
    logFindings: new LogFindingLog(redis, prefix),
    minedLogs: new MinedLogs(redis, prefix, { clockSpeed: options.clockSpeed ?? 1 }),
    claims: new WorkClaims(redis, prefix),
    sourceOutages: new SourceOutages(redis, prefix),
    threads: new ThreadContext(redis, prefix),
    proposals: new ActionProposals(redis, prefix),
    remediations: new RemediationRequests(redis, prefix),
    homeViewers: new HomeViewers(redis, prefix),
    slackDeliveries: new SlackDeliveries(redis, prefix),
    changes: new StateChanges(redis, prefix),
    changeEvents: new ChangeEventStore(redis, prefix),
    questions: new ApiQuestions(redis, prefix),
    historyProgress: new HistoryProgress(redis, prefix),
  });
}
