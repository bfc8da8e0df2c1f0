import type { Worker } from 'bullmq';
import { createAlertPipeline } from '../alerts/pipeline.js';
import type { Config } from '../config.js';
import { createDetector, RECOMMENDED_ALERT_THRESHOLD, restoreDetector } from '../detection/create-detector.js';
import { startHealthServer } from '../http/health-server.js';
import { detectService } from '../jobs/detect-service.js';
import { createQueues, QUEUE_NAMES } from '../jobs/queues.js';
import { syncSchedules } from '../jobs/schedules.js';
import { createServiceFindings } from '../jobs/service-findings.js';
import { trainService } from '../jobs/train-service.js';
import { startServiceWorker } from '../jobs/workers/service-worker.js';
import type { Logger } from '../logger.js';
import type { Alert } from '../alerts/alert.js';
import type { Anomaly } from '../detection/anomaly.js';
import { alertFromAnomaly } from '../alerts/alert.js';
import { AlertSuppression } from '../alerts/alert-suppression.js';
import { fingerprintsRaisedIn, releasedInto } from '../alerts/suppression.js';
import { HeldAlertStore } from '../state/held-alert-store.js';
import { heldBackContext } from '../slack/blocks/held-back-context.js';
import type { IncidentChange } from '../alerts/correlate.js';
import { alertmanagerWebhook } from '../http/alertmanager-webhook.js';
import { incidentContext } from '../alerts/incident-context.js';
import { incidentLogEvidence } from '../alerts/incident-log-evidence.js';
import { mineServiceLogs } from '../jobs/mine-service-logs.js';
import { TemplateMiner, type MinerState } from '../logs/template-miner.js';
import { LogFindingLog } from '../state/log-finding-log.js';
import { serviceTemplateSummary } from '../logs/service-template-summary.js';
import { logTemplatesMessage } from '../slack/blocks/log-templates-message.js';
import { IncidentStore } from '../state/incident-store.js';
import { createSources } from '../sources/create-sources.js';
import { AnomalyLog } from '../state/anomaly-log.js';
import { ModelStore } from '../state/model-store.js';
import { SilenceStore } from '../state/silence-store.js';
import { AuditLog } from '../state/audit-log.js';
import { ThreadContext } from '../state/thread-context.js';
import { ChannelPacer } from '../slack/channel-pacer.js';
import { createSlackSurface } from '../slack/surface.js';
import { createInvestigation, createResolutionNote } from './investigation-setup.js';
import { announceStateChanged } from '../state/state-changed.js';
import { IncidentAcknowledgements } from '../state/incident-acknowledgements.js';
import { IncidentEscalations } from '../state/incident-escalations.js';
import { IncidentOutbox } from '../state/incident-outbox.js';
import { connectRedis, createQueueRedis, createRedis, KEY_PREFIX, reportConnectionState } from '../state/redis.js';
import { slackStartError } from '../slack/slack-start-error.js';
import { Metrics } from '../telemetry/metrics.js';

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

/** Every key this deployment writes to Redis starts with it, BullMQ's included. */

/** How often held alerts are looked at for the end of their silence or maintenance window, in real milliseconds. */
const RELEASE_MILLISECONDS = 5_000;

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
 * Opens everything in the order that fails fastest and does least before failing: Redis, the port,
 * Slack, and only then the schedules and the workers, so a failed start has run no job.
 */
async function startRoles({ config, logger, roles }: StartOptions, opened: OpenResources): Promise<void> {
  const sources = await createSources(config, logger.child({ component: 'sources' }));
  const services = Object.values(config.catalogue.services);
  const world = sources.world;
  const now = () => world?.clock.now() ?? Date.now();
  // State (stores, the webhook's path) fails fast when Redis is gone; BullMQ's connection waits it out.
  const redis = createRedis(config.redisUrl);
  opened.add(() => redis.disconnect());
  await connectRedis(redis, config.redisUrl);
  const queueRedis = createQueueRedis(config.redisUrl);
  opened.add(() => queueRedis.disconnect());
  await connectRedis(queueRedis, config.redisUrl);
  reportConnectionState(redis, logger, 'state');
  reportConnectionState(queueRedis, logger, 'queue');
  const queues = createQueues(queueRedis, KEY_PREFIX);
  // A queue's errors are its connection's, reported above; unheard, BullMQ prints each with its stack.
  for (const queue of [queues.detection, queues.training, queues.logs]) queue.on('error', () => undefined);
  opened.add(() => queues.close());
  const workers: Worker[] = [];
  const jobsLogger = logger.child({ component: 'jobs' });

  // A faster simulated clock needs detection as often per simulated minute: once a simulated minute, at most once a second.
  const detectionEveryMilliseconds = Math.max(1_000, Math.round(60_000 / (world ? config.simulationSpeed : 1)));
  const anomalyLog = new AnomalyLog(redis, KEY_PREFIX);
  const audit = new AuditLog(redis, KEY_PREFIX);
  const incidents = new IncidentStore(redis, KEY_PREFIX, config.catalogue);
  opened.add(() => incidents.close());
  // GET /metrics; open incidents are reported by the bot role only, so replicas do not count them twice.
  const metrics = new Metrics(roles.schedule ? { openIncidents: () => incidents.open() } : {});
  const incidentLogger = logger.child({ component: 'incidents' });
  const ingest = async (alerts: Alert[]) => logChanges(incidentLogger, await incidents.ingest(alerts, now()));
  const silences = new SilenceStore(redis, KEY_PREFIX);
  const logFindings = new LogFindingLog(redis, KEY_PREFIX);
  // Every alert meets silences and maintenance windows before correlation: held if covered, raised when they end if still firing.
  const heldAlerts = new HeldAlertStore(redis, KEY_PREFIX);
  const suppression = new AlertSuppression({
    silences,
    held: heldAlerts,
    maintenance: config.catalogue.alerting.maintenance,
    raised: async (fingerprints) => fingerprintsRaisedIn(await incidents.open(), fingerprints),
    logger: incidentLogger,
  });
  const ingestUnsilenced = async (alerts: Alert[], at = now()) => ingest((await suppression.intake(alerts, at)).kept);
  // Called last, once the port and Slack are ours (see below).
  const startWorkers = (): void => {
    const models = new ModelStore(redis, KEY_PREFIX);
    const sink = createAlertPipeline({
      metrics,
      logger: logger.child({ component: 'alerts' }),
      anomalies: anomalyLog,
      suppression,
      onRecorded: (anomaly) => void announceStateChanged(redis, KEY_PREFIX, anomaly.id).catch(() => undefined),
      ingest: (anomaly) => ingest([alertFromAnomaly(anomaly)]),
    });
    const extraFindings = createServiceFindings({ catalogue: config.catalogue, cluster: sources.cluster, models, logger: jobsLogger });
    const detection = { metrics: sources.metrics, catalogue: config.catalogue, redis, prefix: KEY_PREFIX, sink, now, logger: jobsLogger, createDetector, restoreDetector, threshold: RECOMMENDED_ALERT_THRESHOLD, extraFindings, cache: new Map(),
      // An incident lasts while its anomalies do: ongoing ones keep their alerts firing, recovered ones resolve them.
      onOngoing: (anomaly: Anomaly, at: number) => ingestUnsilenced([{ ...alertFromAnomaly(anomaly), receivedAt: at }], at),
      onRecovered: (anomaly: Anomaly, at: number) => ingestUnsilenced([{ ...alertFromAnomaly(anomaly), status: 'resolved' as const, endsAt: at, receivedAt: at }], at),
    };
    workers.push(
      startServiceWorker({ queueName: QUEUE_NAMES.detection, connection: queueRedis, prefix: KEY_PREFIX, logger: jobsLogger, process: (service) => detectService(service, detection) }),
      startServiceWorker({ queueName: QUEUE_NAMES.training, connection: queueRedis, prefix: KEY_PREFIX, logger: jobsLogger, concurrency: 1, process: (service) => trainService(service, { metrics: sources.metrics, models, now, logger: jobsLogger }) }),
      startServiceWorker({
        queueName: QUEUE_NAMES.logs,
        connection: queueRedis,
        prefix: KEY_PREFIX,
        logger: jobsLogger,
        // One service at a time: mining is not urgent, and a warm-up hour of ten services at once would crowd out Slack's 3-second acks.
        concurrency: 1,
        process: (service) =>
          mineServiceLogs(service, {
            reader: sources.logReader,
            redis,
            prefix: KEY_PREFIX,
            now,
            logger: jobsLogger,
            createMiner: () => new TemplateMiner(),
            restoreMiner: (state) => TemplateMiner.fromJSON(state as MinerState),
            // Log findings are evidence: kept for incidents, answers and root causes, not raised as alerts of their own.
            sink: async (finding) => {
              await logFindings.record(finding);
              jobsLogger.info({ service: finding.service, kind: finding.kind, templateId: finding.templateId, count: finding.count }, finding.summary);
            },
            metricAnomalies: async (service, start, end) => (await anomalyLog.since(start)).filter((anomaly) => anomaly.service === service && anomaly.evidence.start < end && anomaly.evidence.end >= start),
          }),
      }),
    );
    for (const worker of workers) metrics.observeWorker(worker);
    // Together: each finishes its current job, so nothing is left half-scored.
    opened.add(() => Promise.all(workers.map((worker) => worker.close())));
  };

  // The Slack surface belongs to the bot role; workers never talk to Slack.
  const acknowledgements = new IncidentAcknowledgements(redis, KEY_PREFIX);
  const investigation = createInvestigation(config, sources, { redis, prefix: KEY_PREFIX, anomalies: anomalyLog, logFindings, incidents, now }, logger.child({ component: 'investigation' }));
  const slack =
    config.slack && roles.schedule
      ? createSlackSurface(config.slack, {
          catalogue: config.catalogue,
          investigation,
          proposals: investigation.agent?.proposals,
          queryLinks: { prometheusUrl: config.prometheusUrl, kibanaUrl: config.kibanaUrl },
          status: { catalogue: config.catalogue, anomalies: anomalyLog, audit, now, incidents, acknowledgements },
          silences,
          audit,
          threads: new ThreadContext(redis, KEY_PREFIX),
          redis,
          prefix: KEY_PREFIX,
          now,
          pacer: new ChannelPacer(),
          logger: logger.child({ component: 'slack' }),
          incidents,
          acknowledgements,
          metrics,
          incidentMessages: {
            incidents,
            acknowledgements,
            outbox: new IncidentOutbox(redis, KEY_PREFIX),
            escalations: new IncidentEscalations(redis, KEY_PREFIX),
            // Alerts held back by a silence first (from when to when), then log findings, a new error template often being the plainest clue; the cluster's changes follow.
            context: async (incident) => [
              ...heldBackContext(releasedInto(incident, await heldAlerts.released(Object.keys(incident.alerts)))),
              ...(await incidentLogEvidence(incident, (service, since) => logFindings.since(service, since))),
              ...(await incidentContext(sources.cluster, config.catalogue, incident, now())),
            ],
            // What the likely origin has been logging, in the thread from the start: the first thing an SRE would look up.
            attachment: async (incident) => {
              if (incident.origin === undefined) return undefined;
              const summary = await serviceTemplateSummary(incident.origin, { redis, prefix: KEY_PREFIX, now: now(), limit: 5 });
              return summary.rows.length > 0 ? logTemplatesMessage(summary) : undefined;
            },
            resolution: createResolutionNote(config, sources, investigation.agent?.model, logger.child({ component: 'incidents' })),
          },
        })
      : undefined;

  const startedAt = Date.now();
  const routes = [
    ...(slack?.requestListener ? [{ pathPrefix: '/slack/', listener: slack.requestListener }] : []),
    ...(roles.schedule ? [{ pathPrefix: '/webhooks/alertmanager', listener: alertmanagerWebhook({ catalogue: config.catalogue, token: config.alertmanagerWebhookToken, ingest: ingestUnsilenced, now, metrics, logger: logger.child({ component: 'webhook' }) }) }] : []),
  ];
  const server = await startHealthServer({
    routes,
    metrics,
    port: config.port,
    // Redis decides readiness; Slack is reported only: while it is out, alerts are still stored and their messages wait in the outbox.
    readiness: async () => ({
      redis: await redis.ping().then(
        () => ({ ok: true }),
        (error: Error) => ({ ok: false, detail: error.message }),
      ),
      ...(slack ? { slack: { ...slack.readiness(), required: false } } : {}),
    }),
    status: () => ({
      roles,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      services: services.length,
      sources: { metrics: sources.metrics.kind, logs: sources.logs.kind, cluster: sources.cluster.kind },
      redis: redis.status,
      slack: config.slack ? (slack ? config.slack.mode : 'not in this role') : 'not configured',
      ...(world ? { simulation: { time: new Date(world.clock.now()).toISOString(), scenario: world.scenario?.name, faultActive: world.faultActiveAt(world.clock.now()) } } : {}),
    }),
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
    if (config.slack!.mode === 'http') logger.info({ mode: 'http' }, `Slack events on http://0.0.0.0:${server.port}/slack/events`);
  }

  logger.info(
    { services: services.map((service) => `${service.namespace}/${service.name}`), metrics: sources.metrics.kind, logs: sources.logs.kind, cluster: sources.cluster.kind, catalogue: config.cataloguePath, roles, port: server.port },
    `watching ${services.length} services; /healthz on port ${server.port}`,
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

  if (roles.schedule) await syncSchedules(queues, services.map((service) => service.name), { detectionEveryMilliseconds });
  if (roles.work) startWorkers();

  // Detector alerts never resolve themselves: the bot settles incidents whose alerts went quiet.
  if (roles.schedule) {
    const settling = setInterval(() => void incidents.settle(now()).then((changes) => logChanges(incidentLogger, changes), (error: Error) => incidentLogger.warn({ error: error.message }, 'incidents not settled; trying again in a minute')), 60_000);
    settling.unref();
    opened.add(() => clearInterval(settling));
    // Held alerts whose silence or maintenance window ended are raised within seconds of its end.
    const releasing = setInterval(() => void suppression.release(now(), ingest).catch((error: Error) => incidentLogger.warn({ error: error.message }, 'held alerts not released; trying again shortly')), RELEASE_MILLISECONDS);
    releasing.unref();
    opened.add(() => clearInterval(releasing));
  }
  if (world) {
    const heartbeat = setInterval(() => logger.info({ time: new Date(world.clock.now()).toISOString(), faultActive: world.faultActiveAt(world.clock.now()) }, 'simulated world running'), HEARTBEAT_MILLISECONDS);
    heartbeat.unref();
    opened.add(() => clearInterval(heartbeat));
  }
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

/**
 * Every significant incident change is logged. The store has queued them for the process talking
 * to Slack (this one or the bot) in the transaction that wrote them, and woken it.
 */
function logChanges(logger: Logger, changes: IncidentChange[]): void {
  for (const change of changes) {
    if (change.kind === 'duplicate' || change.kind === 'ignored' || change.kind === 'updated') continue;
    logger.info({ incident: change.incidentId, kind: change.kind, fingerprint: change.fingerprint, severity: change.severity }, `incident ${change.incidentId ?? ''} ${change.kind}: ${change.reason}`);
  }
}
