import type { GroupDirectory } from '../access/group-directory.js';
import { accessWarning } from '../catalogue.js';
import { Healing } from '../healing/healing.js';
import { createHealingQueues, HEALING_LOCK_MILLISECONDS, healingJobs, startHealingNoticeWorker, startHealingWorker } from '../jobs/healing-jobs.js';
import type { Config } from '../config.js';
import { publicDependencyState, startHealthServer } from '../http/health-server.js';
import { alertmanagerWebhook } from '../http/alertmanager-webhook.js';
import { API_PREFIX, apiListener } from '../http/api/api-listener.js';
import { apiRoutes } from '../http/api/api-routes.js';
import { investigate } from '../investigation/investigate.js';
import { answerMessage } from '../slack/blocks/answer-message.js';
import { unescapeMrkdwn } from '../slack/blocks/limits.js';
import { changesWebhook } from '../http/changes-webhook.js';
import { IncidentDetails } from '../incidents/incident-details.js';
import { countIncidentStates } from '../incidents/incident-states.js';
import { HistoryDatabase } from '../history/history-database.js';
import { HistoryRecorder } from '../history/history-recorder.js';
import { Incidents } from '../incidents/incidents.js';
import { Pager } from '../incidents/pager.js';
import { pagingConfigured } from '../paging-settings.js';
import { createPageReceivers } from '../paging/create-page-receivers.js';
import { createInvestigation } from '../investigation/create-investigation.js';
import { createMaintenanceQueue, startMaintenanceWorker, syncMaintenanceSchedules, type MaintenanceTask } from '../jobs/maintenance-jobs.js';
import { createQueues } from '../jobs/queues.js';
import { keepSchedules } from '../jobs/schedule-keeper.js';
import { syncSchedules } from '../jobs/schedules.js';
import { SourceHealth } from '../jobs/source-health.js';
import { startWorkers } from '../jobs/workers/start-workers.js';
import type { Logger } from '../logger.js';
import { ChannelPacer } from '../slack/channel-pacer.js';
import { slackStartError } from '../slack/slack-start-error.js';
import { createSlackSurface } from '../slack/surface.js';
import { createSources } from '../sources/create-sources.js';
import { recentChanges } from '../sources/recent-changes.js';
import { openState } from '../state/state.js';
import type { Stores } from '../state/stores.js';
import { Metrics, QUEUE_STATES } from '../telemetry/metrics.js';
import { processStatus } from './process-status.js';

/** What a process does: `start` both, `bot` schedules (and, with the Slack issue, talks to Slack), `worker` works. */
export interface Roles {
  schedule: boolean;
  work: boolean;
}

export interface StartOptions {
  config: Readonly<Config>;
  logger: Logger;
  roles: Roles;
  /** Resolves when the process should stop (SIGINT/SIGTERM in production, a promise in tests). */
  stopSignal: Promise<string>;
}

/** The group directory of a process that only runs approved requests: asked, it refuses. */
const WORKERS_DECIDE_NOTHING: GroupDirectory = { members: async () => Promise.reject(new Error('workers do not decide approvals')) };

/** How often the simulated world reports where it stands, in real milliseconds. */
const HEARTBEAT_MILLISECONDS = 60_000;

/**
 * Runs the roles asked for until the stop signal: sources, Redis, the schedules and/or the workers,
 * /healthz. A start that fails half-way (PORT in use, Redis unreachable, Slack refusing the token)
 * closes what it had opened before it throws, so the process ends at once with the error's line.
 */
export async function startCommand(options: StartOptions): Promise<void> {
  const { logger, stopSignal } = options;
  const opened = new OpenResources(logger);
  try {
    await startRoles(options, opened);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const signal = await stopSignal;
  logger.info({ signal }, 'stopping');
  await opened.close();
  logger.info('stopped');
}

/**
 * Wires the roles: sources, state, the incident use cases, investigation, then the transports
 * (Slack, the webhook, /healthz) and the workers. Opens them in the order that fails fastest and
 * does least before failing: Redis, the port, Slack, and only then the schedules and the workers,
 * so a failed start has run no job.
 */
async function startRoles({ config, logger, roles }: StartOptions, opened: OpenResources): Promise<void> {
  const sources = await createSources(config, logger.child({ component: 'sources' }));
  const world = sources.world;
  const now = () => world?.clock.now() ?? Date.now();
  const state = await openState({ redis: config.redis, catalogue: config.catalogue, logger, queues: true, clockSpeed: world ? config.simulationSpeed : 1 });
  opened.add(() => state.close());
  const { stores } = state;
  const queues = createQueues(state.queueConnection!);
  opened.add(() => queues.close());
  const healingQueues = createHealingQueues(state.queueConnection!);
  opened.add(() => healingQueues.close());
  const maintenance = createMaintenanceQueue(state.queueConnection!);
  opened.add(() => maintenance.close());
  const healingJobQueue = healingJobs(healingQueues, world ? config.simulationSpeed : 1);
  const healingLogger = logger.child({ component: 'healing' });
  if (config.dryRun) healingLogger.warn('AIOPS_DRY_RUN=true: remediation requests are proposed, approved and run as server-side dry runs; nothing is written to the cluster');
  const createHealing = (directory: GroupDirectory) =>
    new Healing({
      catalogue: config.catalogue,
      cluster: sources.cluster,
      metrics: sources.metrics,
      requests: stores.remediations,
      audit: stores.audit,
      directory,
      jobs: healingJobQueue,
      notify: (notice) => {
        metrics.healingOutcome(notice.kind);
        return healingJobQueue.notify(notice);
      },
      now,
      dryRun: config.dryRun,
      logger: healingLogger,
      leaseMilliseconds: HEALING_LOCK_MILLISECONDS,
    });

  // GET /metrics; open incidents are reported by the bot role only, so replicas do not count them twice.
  const everyQueue = [queues.detection, queues.training, queues.logs, queues.forecast, healingQueues.actions, healingQueues.notices, maintenance];
  const queueDepths = () => Promise.all(everyQueue.map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...QUEUE_STATES) })));
  const incidentStates = async () => {
    const [kept, acknowledged] = await Promise.all([stores.incidents.all(), stores.acknowledgements.acknowledgedIds()]);
    return countIncidentStates(kept, acknowledged);
  };
  const metrics = new Metrics(roles.schedule ? { openIncidents: () => stores.incidents.open(), incidentStates, queueDepths } : {});
  const incidentLogger = logger.child({ component: 'incidents' });
  const incidents = new Incidents({ stores, catalogue: config.catalogue, now, logger: incidentLogger, counters: metrics });
  const investigation = createInvestigation(config, sources, stores, now, logger.child({ component: 'investigation' }), (call) => metrics.modelCall(call));

  // The history belongs to the bot role: one copy of Redis's state to PostgreSQL, whatever the number of workers.
  const history = config.databaseUrl && roles.schedule ? openHistory(config.databaseUrl, stores, config, logger.child({ component: 'history' })) : undefined;
  if (history) opened.add(() => history.recorder.stop());

  // The Slack surface belongs to the bot role; workers never talk to Slack.
  const slack =
    config.slack && roles.schedule
      ? createSlackSurface(config.slack, {
          catalogue: config.catalogue,
          incidents,
          incidentDetails: new IncidentDetails({ stores, cluster: sources.cluster, catalogue: config.catalogue, now, model: investigation.agent?.model, logger: incidentLogger }),
          investigation,
          queryLinks: { prometheusUrl: config.prometheusUrl, kibanaUrl: config.kibanaUrl },
          status: { catalogue: config.catalogue, anomalies: stores.anomalies, audit: stores.audit, now, incidents: stores.incidents, acknowledgements: stores.acknowledgements },
          stores,
          now,
          pacer: new ChannelPacer(),
          logger: logger.child({ component: 'slack' }),
          metrics,
          healing: createHealing,
          ...(history ? { history: history.database } : {}),
        })
      : undefined;
  // Paging belongs to the bot role too, with or without Slack: a page must not wait for Slack.
  const paging = roles.schedule && pagingConfigured(config.catalogue.paging);
  const teamsMissing = slack ? accessWarning(config.catalogue) : undefined;
  if (teamsMissing) logger.warn(teamsMissing);

  // Before the port opens: once /healthz answers, the start has done all it asks of Redis (a
  // Redis lost during it ends the start, rather than a half-scheduled bot running on).
  if (roles.schedule) {
    const services = Object.keys(config.catalogue.services);
    // Each round runs once across the bot replicas. The digest is only worth running where Slack is; the sweep (group waits, escalation rules) where Slack or a pager is.
    const tasks: MaintenanceTask[] = slack ? ['settle', 'release', 'sweep', 'digest'] : paging ? ['settle', 'release', 'sweep'] : ['settle', 'release'];
    const schedule = async () => {
      const departed = await syncSchedules(queues, services, { clockSpeed: world ? config.simulationSpeed : 1 });
      await syncMaintenanceSchedules(maintenance, tasks);
      return departed;
    };
    const departed = await schedule();
    // Their detectors, models, log miners and cursors would otherwise stay in Redis for good.
    await Promise.all(departed.flatMap((service) => [stores.detection.forget(service), stores.models.forget(service), stores.activeAnomalies.forget(service), stores.minedLogs.forget(service)]));
    if (departed.length > 0) logger.info({ services: departed }, `forgot ${departed.length} service(s) gone from the catalogue`);
    const keeper = keepSchedules({
      present: async () => (await queues.detection.getJobSchedulersCount()) >= services.length && (await maintenance.getJobSchedulersCount()) >= tasks.length,
      restore: async () => void (await schedule()),
      logger,
    });
    opened.add(() => keeper.stop());
  }

  const startedAt = Date.now();
  const routes = [
    ...(slack?.requestListener ? [{ pathPrefix: '/slack/', listener: slack.requestListener }] : []),
    ...(roles.schedule
      ? [
          {
            pathPrefix: `${API_PREFIX}/`,
            listener: apiListener({
              routes: apiRoutes({
                incidents,
                stores,
                catalogue: config.catalogue,
                // The same investigation and the same text as a Slack answer, the asker seeing everything (tokens are the operator's).
                ask: async (question) => {
                  const answer = await investigate(question, [], investigation);
                  return { text: unescapeMrkdwn(answerMessage(answer, { now: now(), links: { prometheusUrl: config.prometheusUrl, kibanaUrl: config.kibanaUrl } }).text), answer };
                },
                changes: (services, since, unreadable) => recentChanges(sources.cluster, services, since, stores.changeEvents, unreadable),
                now,
                logger: logger.child({ component: 'api' }),
              }),
              tokens: config.apiTokens,
              logger: logger.child({ component: 'api' }),
            }),
          },
        ]
      : []),
    ...(roles.schedule
      ? [
          {
            pathPrefix: '/webhooks/alertmanager',
            listener: alertmanagerWebhook({
              catalogue: config.catalogue,
              token: config.alertmanagerWebhookToken,
              allowUnauthenticated: config.alertmanagerWebhookAllowUnauthenticated,
              ingest: (alerts) => incidents.intake(alerts),
              now,
              metrics,
              logger: logger.child({ component: 'webhook' }),
            }),
          },
          {
            pathPrefix: '/webhooks/changes',
            listener: changesWebhook({
              catalogue: config.catalogue,
              token: config.changesWebhookToken,
              sink: stores.changeEvents,
              now,
              metrics,
              logger: logger.child({ component: 'changes-webhook' }),
            }),
          },
        ]
      : []),
  ];
  const server = await startHealthServer({
    routes,
    metrics,
    port: config.port,
    host: config.bindAddress,
    logger,
    // Redis decides readiness; Slack is reported only: while it is out, alerts are still stored and their messages wait in the outbox.
    // The reasons (hosts, proxies) stay in the log, where the connections report them.
    readiness: async () => ({
      redis: publicDependencyState(await state.ping(), 'not reachable'),
      ...(slack ? { slack: { ...publicDependencyState(slack.readiness(), 'auth.test not answered'), required: false } } : {}),
    }),
    status: () => processStatus({ config, roles, startedAt, sources, state, slackInThisRole: slack !== undefined }),
  });
  opened.add(() => server.close());
  // Slack's check of the bot token comes before the line that says the bot runs: a token Slack refuses ends the start here.
  if (slack) {
    opened.add(() => slack.stop());
    try {
      await slack.start();
    } catch (error) {
      throw config.slack!.mode === 'socket' ? slackStartError(error, 'SLACK_APP_TOKEN', config.slack!) : error;
    }
    if (config.slack!.mode === 'http') logger.info({ mode: 'http' }, `Slack events on http://${hostPort(server.address, server.port)}/slack/events`);
  }
  if (roles.schedule) {
    warnAboutWebhookAccess(config, server.port, logger);
    warnAboutChangesWebhookAccess(config, logger);
  }

  const services = Object.values(config.catalogue.services);
  logger.info(
    { services: services.map((service) => `${service.namespace}/${service.name}`), metrics: sources.metrics.kind, logs: sources.logs.kind, cluster: sources.cluster.kind, catalogue: config.cataloguePath, roles, ...(roles.work ? { queues: config.workers.queues } : {}), address: server.address, port: server.port },
    `watching ${services.length} services; /healthz on ${hostPort(server.address, server.port)}`,
  );
  if (world?.scenario) {
    logger.info(
      { scenario: world.scenario.name, rootCause: world.scenario.rootCause, faultStart: new Date(world.faultStart!).toISOString(), speed: config.simulationSpeed },
      `simulated world: scenario ${world.scenario.name} (${world.scenario.description})`,
    );
  }
  if (!config.slack) {
    logger.info('Slack not configured (set SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET): anomalies and incidents go to this log only, and nothing is posted anywhere');
  }

  if (roles.work) {
    const settings = config.workers;
    const jobsLogger = logger.child({ component: 'jobs' });
    const sourceHealth = new SourceHealth({ outages: stores.sourceOutages, metrics, logger: jobsLogger });
    const workers = startWorkers({ connection: state.queueConnection!, sources, stores, catalogue: config.catalogue, incidents, now, logger: jobsLogger, settings, sourceHealth, metrics });
    // Workers run and verify requests, never decide them: no approver is checked here.
    if (settings.queues.includes('healing')) {
      workers.push(startHealingWorker(state.queueConnection!, createHealing(WORKERS_DECIDE_NOTHING), healingLogger, { concurrency: settings.concurrency.healing, rateLimit: settings.rateLimits.healing }));
    }
    for (const worker of workers) metrics.observeWorker(worker);
    // Together: each finishes its current job, so nothing is left half-scored.
    opened.add(() => Promise.all(workers.map((worker) => worker.close())));
  }
  if (slack) {
    const notices = startHealingNoticeWorker(state.queueConnection!, (notice) => slack.deliverHealingNotice(notice), healingLogger);
    opened.add(() => notices.close());
  }
  if (roles.schedule) {
    const worker = startMaintenanceWorker(
      state.queueConnection!,
      {
        settle: () => incidents.settle(),
        release: () => incidents.release(),
        ...(slack || paging ? { sweep: () => incidents.sweep() } : {}),
        ...(slack ? { digest: () => slack.postDueDigest() } : {}),
      },
      incidentLogger,
    );
    opened.add(() => worker.close());
  }
  if (paging) {
    const pager = new Pager({
      stores,
      catalogue: config.catalogue,
      receivers: createPageReceivers(config.catalogue.paging!, config.pagingKeys),
      now,
      logger: logger.child({ component: 'paging' }),
      counters: metrics,
    });
    await pager.start();
    opened.add(() => pager.stop());
  }
  if (world) {
    const heartbeat = setInterval(() => logger.info({ time: new Date(world.clock.now()).toISOString(), faultActive: world.faultActiveAt(world.clock.now()) }, 'simulated world running'), HEARTBEAT_MILLISECONDS);
    heartbeat.unref();
    opened.add(() => clearInterval(heartbeat));
  }
}

/** The PostgreSQL history and what copies to it; migrated and started in the background, so a database that is down delays the history, not the bot. */
function openHistory(url: string, stores: Stores, config: Readonly<Config>, logger: Logger): { database: HistoryDatabase; recorder: HistoryRecorder } {
  let told = false;
  const database = new HistoryDatabase(url, (error) => {
    if (!told) logger.warn({ error: error.message }, 'history: a PostgreSQL connection was lost; it reconnects on the next write');
    told = true;
  });
  const recorder = new HistoryRecorder({ database, stores, catalogue: config.catalogue, logger });
  recorder.start();
  return { database, recorder };
}

/**
 * One warning when the webhook is not protected by a token: closed (every delivery refused until
 * the token is set), or opened on purpose to anyone who can reach the port.
 */
function warnAboutWebhookAccess(config: Readonly<Config>, port: number, logger: Logger): void {
  if (config.alertmanagerWebhookToken !== undefined) return;
  if (config.alertmanagerWebhookAllowUnauthenticated) {
    logger.warn(
      `ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED=true: anyone who can reach port ${port} can raise and resolve alerts through POST /webhooks/alertmanager; set ALERTMANAGER_WEBHOOK_TOKEN instead`,
    );
    return;
  }
  logger.warn('ALERTMANAGER_WEBHOOK_TOKEN not set: POST /webhooks/alertmanager refuses every delivery (403) until it is set');
}

/** One warning when the change-event webhook has no token: it is then closed, with no open mode to choose. */
function warnAboutChangesWebhookAccess(config: Readonly<Config>, logger: Logger): void {
  if (config.changesWebhookToken !== undefined) return;
  logger.warn('CHANGES_WEBHOOK_TOKEN not set: POST /webhooks/changes refuses every delivery (403) until it is set');
}

/** `127.0.0.1:3000`, `[::1]:3000`: an address and port as a URL writes them. */
function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** What a start opened, closed last opened first: on stop, and when a start fails half-way. */
class OpenResources {
  private readonly closers: Array<() => unknown> = [];

  constructor(private readonly logger: Logger) {}

  add(close: () => unknown): void {
    this.closers.push(close);
  }

  /** Closes everything; one that fails is logged and the others still close. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        this.logger.warn({ error: (error as Error).message }, 'could not close cleanly while stopping');
      }
    }
  }
}
