import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type RetryOptions } from '@slack/web-api';
import type { RequestListener } from 'node:http';
import type { SlackConfig } from '../config.js';
import { type AiopsError, ErrorCode } from '../errors.js';
import { homeViewFor } from './home-view-for.js';
import { postDueDigest } from './post-digest.js';
import { boltLogger } from './bolt-logger.js';
import { register as registerActions } from './listeners/actions/index.js';
import { register as registerCommands } from './listeners/commands/index.js';
import { register as registerEvents } from './listeners/events/index.js';
import type { SlackServices } from './slack-services.js';
import { estateStatus } from '../investigation/estate-status.js';
import type { Subscription } from '../state/state-changed.js';
import { IncidentNotifier } from './incident-notifier.js';
import { incidentMessageParts } from './incident-message-parts.js';
import { registerIncidentActions } from './listeners/actions/incident-actions.js';
import { registerProposalActions } from './listeners/actions/proposal-actions.js';
import { registerRemediationActions } from './listeners/actions/remediation-actions.js';
import { deliverHealingNotice } from './healing-notices.js';
import type { HealingNotice } from '../healing/healing.js';
import type { Incident } from '../alerts/correlate.js';
import type { IncidentMessage } from '../state/incident-store.js';
import { remediationForIncident } from '../investigation/remediation-for-incident.js';
import { severityRank } from '../severity.js';
import { measuredFetch } from './measured-fetch.js';
import { redactingFetch } from './redacting-fetch.js';
import { slackAccess } from './slack-access.js';
import { slackStartError } from './slack-start-error.js';

export interface SlackSurface {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. Socket Mode: undefined. */
  requestListener?: RequestListener;
  /**
   * Checks the bot token with Bolt's `auth.test`, then listens (Socket Mode connects). A token Slack
   * refuses rejects with AIOPS_CONFIG_INVALID naming SLACK_BOT_TOKEN. A Slack that does not answer
   * is not a reason to stay down: detection goes on and incident messages wait in the outbox, so
   * that is a warning, and Slack is asked again in the background until it answers.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether Slack answered the bot's `auth.test` (at the start or, after an outage, since), for /readyz. */
  readiness(): { ok: boolean; detail: string };
  /** Shows what became of a remediation request (its message and thread); the notices' worker calls it. */
  deliverHealingNotice(notice: HealingNotice): Promise<void>;
  /** Posts the digest of the period that ended, once across every replica; the maintenance job calls it every minute. */
  postDueDigest(): Promise<unknown>;
}

/**
 * Retries of the app's own Web API calls (the start's `auth.test`, answers, App Home): a few quick
 * ones, not the client's default of ten over half an hour, which kept a process stopped during a
 * Slack outage alive until they ran out. Incident messages, which must arrive, retry through the
 * durable outbox instead. (Socket Mode's own client keeps its reconnecting retries.)
 */
const SLACK_CALL_RETRIES: RetryOptions = { retries: 2, minTimeout: 500, maxTimeout: 2_000 };
/** A Slack that takes the connection and never answers fails the call after this long. */
const SLACK_CALL_TIMEOUT_MILLISECONDS = 10_000;
/** While Slack has not answered the start's `auth.test`, it is asked again after this long, doubling up to the maximum. */
const INITIALIZE_RETRY_MILLISECONDS = 30_000;
const INITIALIZE_RETRY_MAX_MILLISECONDS = 300_000;

/** App Home is republished at most this often, however fast state changes. */
const HOME_REFRESH_MILLISECONDS = 5_000;
/** How often the incident outbox is read for retries that came due. */
const DRAIN_MILLISECONDS = 1_000;
/** While an incident's fault is not clear, the engine looks again this often (sources' clock). */
const INCIDENT_PROPOSAL_RETRY_MILLISECONDS = 2 * 60_000;
/** Users whose App Home is kept fresh: those who opened it this recently. */
const HOME_VIEWER_MILLISECONDS = 86_400_000;

/**
 * The Slack app on Bolt: Socket Mode when an app token is configured, otherwise Bolt's HTTP
 * receiver (signature verification on) mounted on our own server. Listeners only translate
 * between Slack and the domain in `services`.
 */
export function createSlackSurface(config: SlackConfig, services: SlackServices): SlackSurface {
  const logger = boltLogger(services.logger);
  const metrics = services.metrics;
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // Every client Bolt and we build, and Bolt's respond(), send through this fetch: secrets are redacted there.
    fetch: redactingFetch(metrics ? measuredFetch((method, outcome) => metrics.slackApiCall(method, outcome)) : globalThis.fetch),
  };
  // Initialisation deferred to start(): Bolt's constructor would otherwise call auth.test in the
  // background, retrying for half an hour, and a refused token would be an unhandled rejection.
  const appOptions = { token: config.botToken, clientOptions: { ...clientOptions, retryConfig: SLACK_CALL_RETRIES, timeout: SLACK_CALL_TIMEOUT_MILLISECONDS }, logger, deferInitialization: true };
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.mode === 'socket') {
    // A receiver of our own, so that Socket Mode's client keeps its reconnecting retries rather than sharing the app's few.
    const socketReceiver = new SocketModeReceiver({ appToken: config.appToken!, logger, installerOptions: { clientOptions: { ...clientOptions } } });
    app = new App({ ...appOptions, receiver: socketReceiver, socketMode: true });
  } else {
    receiver = new HTTPReceiver({ signingSecret: config.signingSecret!, endpoints: '/slack/events', processBeforeResponse: false, logger });
    app = new App({ ...appOptions, receiver });
  }
  registerEvents(app, services);
  registerCommands(app, services);
  registerActions(app, services);
  // Incident messages retry through the durable outbox, not inside one call: a client that waited
  // out an outage itself would hold the incident's lease and its channel's queue for half an hour.
  const incidentClient = new WebClient(config.botToken, { ...clientOptions, logger, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: SLACK_CALL_TIMEOUT_MILLISECONDS });
  const { incidents, outbox, acknowledgements, escalations } = services.stores;
  const notifier = new IncidentNotifier(incidentClient, {
    incidents,
    outbox,
    acknowledgements,
    escalations,
    ...(services.incidentDetails ? incidentMessageParts(services.incidentDetails) : {}),
    catalogue: services.catalogue,
    pacer: services.pacer,
    now: services.now,
    logger: services.logger,
    onShown: (incident, message) => proposeForIncident(incident, message),
  });
  registerIncidentActions(app, services, notifier);
  registerProposalActions(app, services);
  registerRemediationActions(app, services);
  const healing = () => slackAccess(services, app.client).healing;
  /**
   * A severe open incident gets the engine's remediation in its thread, previewed by a worker,
   * with Approve / Reject: looked for when it is posted and, while the fault is not clear yet,
   * again as it changes, at most every INCIDENT_PROPOSAL_RETRY_MILLISECONDS of the sources' clock.
   */
  const proposeForIncident = async (incident: Incident, message: IncidentMessage) => {
    const running = healing();
    if (!running || incident.status !== 'open' || severityRank(incident.severity) < severityRank(services.catalogue.healing.proposeForIncidents)) return;
    if (!(await services.stores.remediations.mayProposeForIncident(incident.id, services.now(), INCIDENT_PROPOSAL_RETRY_MILLISECONDS))) return;
    const suggestion = await remediationForIncident(incident, services.investigation.answers);
    if (!suggestion) return;
    await services.stores.remediations.markIncidentProposed(incident.id);
    await running.requestProposal({ ...suggestion, severity: incident.severity, requestedBy: 'aiops', incidentId: incident.id, thread: { channel: message.channel, threadTs: message.ts } });
  };
  app.error(async (error) => {
    services.logger.error({ error: error.message, code: (error as { code?: string }).code }, 'Slack listener failed');
  });

  let subscription: Subscription | undefined;
  /** Past the token check: timers run, and a stop drains the outbox. */
  let running = false;
  let stopped = false;
  /** Why Slack has not answered auth.test yet; undefined once it has. */
  let unanswered: string | undefined = 'auth.test not sent yet';
  let listening = false;
  let initializeTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  // Once per outage, not once a second: Redis gone fails every drain until it is back.
  let outboxUnreadable = false;
  const logDrainFailure = (error: Error) => {
    if (!outboxUnreadable) services.logger.warn({ error: error.message }, 'incident messages: outbox unreadable; retrying every second');
    outboxUnreadable = true;
  };
  const drainOutbox = () =>
    notifier.drain().then(() => {
      if (outboxUnreadable) services.logger.info('incident messages: outbox readable again');
      outboxUnreadable = false;
    }, logDrainFailure);
  const refreshHomes = async () => {
    refreshTimer = undefined;
    const viewers = await services.stores.homeViewers.since(Date.now() - HOME_VIEWER_MILLISECONDS);
    if (viewers.length === 0) return;
    const status = await estateStatus(services.status);
    const access = slackAccess(services, app.client).access;
    // Each viewer sees their own part of the estate; group and channel members are cached, so this is one read per minute, not per viewer.
    for (const user of viewers.slice(0, 100)) {
      const view = await homeViewFor(services, status, await access.visibility(user));
      await app.client.views.publish({ user_id: user, view }).catch((error: Error) => services.logger.warn({ user, error: error.message }, 'App Home refresh failed'));
    }
  };

  /** Bolt's auth.test: undefined once Slack answered, or why it did not; a token Slack refuses throws, naming SLACK_BOT_TOKEN. */
  const initialize = async (): Promise<AiopsError | undefined> => {
    try {
      await app.init();
      unanswered = undefined;
      return undefined;
    } catch (error) {
      const failure = slackStartError(error, 'SLACK_BOT_TOKEN', config);
      unanswered = failure.message;
      if (failure.code === ErrorCode.ConfigInvalid) throw failure;
      return failure;
    }
  };
  /** HTTP mode listens on our own server already; Socket Mode connects now. */
  const listen = async () => {
    if (config.mode !== 'socket' || stopped) return;
    // Set first: a connection that failed half-way is closed on stop too.
    listening = true;
    await app.start();
    services.logger.info({ mode: config.mode }, 'connected to Slack (Socket Mode)');
  };
  // Bolt authorises an event with what the start's auth.test learnt: a request that arrives while
  // that check is under way waits for it (one round trip) instead of reaching no listener.
  let tokenChecked!: () => void;
  const tokenCheck = new Promise<void>((resolve) => (tokenChecked = resolve));
  const requestListener: RequestListener | undefined =
    receiver &&
    ((request, response) => {
      void tokenCheck.then(() => {
        try {
          receiver.requestListener(request, response);
        } catch {
          // Bolt throws for a path or method it does not serve: thrown from our server's handler, that ended the process.
          if (response.headersSent) return void response.end();
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: `no route for ${request.method} ${request.url?.split('?')[0]}` }));
        }
      });
    });

  /** Until Slack answers, events reach no listener (Bolt cannot authorise them) and Socket Mode stays closed. */
  const initializeLater = (delay: number) => {
    initializeTimer = setTimeout(() => void initializeInBackground(delay), delay);
  };
  const initializeInBackground = async (delay: number) => {
    let failure: AiopsError | undefined;
    try {
      failure = await initialize();
    } catch (refused) {
      services.logger.error({ error: (refused as AiopsError).toOneLine() }, 'Slack refused the bot token: restart the bot once SLACK_BOT_TOKEN is fixed');
      return;
    }
    if (stopped) return;
    if (failure) return initializeLater(Math.min(delay * 2, INITIALIZE_RETRY_MAX_MILLISECONDS));
    services.logger.info('Slack answered auth.test: the bot handles Slack events now');
    await listen().catch((error: unknown) => services.logger.error({ error: slackStartError(error, 'SLACK_APP_TOKEN', config).toOneLine() }, 'Socket Mode did not connect'));
  };

  return {
    app,
    requestListener,
    deliverHealingNotice: async (notice) => {
      const running = healing();
      if (running) await deliverHealingNotice(notice, { client: app.client, healing: running, catalogue: services.catalogue, pacer: services.pacer, now: services.now });
    },
    postDueDigest: async () => (running ? postDueDigest(app.client, services) : undefined),
    readiness: () => (unanswered === undefined ? { ok: true, detail: `auth.test answered (${config.mode} mode)` } : { ok: false, detail: `auth.test not answered: ${unanswered}` }),
    start: async () => {
      const failure = await initialize().finally(tokenChecked);
      if (failure) services.logger.warn({ error: failure.toOneLine() }, 'Slack did not answer auth.test; starting anyway (incident messages wait in the outbox, and Slack is asked again)');
      running = true;
      subscription = await services.stores.changes.subscribe((change) => {
        if (change === 'incidents') void notifier.drain().catch(logDrainFailure);
        refreshTimer ??= setTimeout(() => void refreshHomes().catch((error: Error) => services.logger.warn({ error: error.message }, 'App Home refresh failed')), HOME_REFRESH_MILLISECONDS);
      });
      // Changes wake the drain at once; the timer catches retries that came due and whatever a
      // restart left behind (the incident use cases' sweep marks what time alone made due).
      drainTimer = setInterval(() => void drainOutbox(), DRAIN_MILLISECONDS);
      void notifier.drain().catch(logDrainFailure);
      if (failure) initializeLater(INITIALIZE_RETRY_MILLISECONDS);
      else await listen();
    },
    stop: async () => {
      stopped = true;
      if (initializeTimer) clearTimeout(initializeTimer);
      if (refreshTimer) clearTimeout(refreshTimer);
      if (drainTimer) clearInterval(drainTimer);
      // A start refused at the token check has nothing to drain, and a refused token could not send it.
      if (running) await notifier.drain().catch(logDrainFailure);
      subscription?.close();
      if (listening) await app.stop();
    },
  };
}
