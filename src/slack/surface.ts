import { App, HTTPReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { RequestListener } from 'node:http';
import type { SlackConfig } from '../config.js';
import { estateStatus } from '../conversations/estate-status.js';
import { homeView } from './blocks/home-view.js';
import { boltLogger } from './bolt-logger.js';
import { register as registerActions } from './listeners/actions/index.js';
import { register as registerCommands } from './listeners/commands/index.js';
import { register as registerEvents } from './listeners/events/index.js';
import type { SlackServices } from './slack-services.js';
import { incidentChangedChannel, stateChangedChannel } from '../state/state-changed.js';
import { IncidentNotifier } from './incident-notifier.js';
import { registerIncidentActions } from './listeners/actions/incident-actions.js';
import { registerProposalActions } from './listeners/actions/proposal-actions.js';

export interface SlackSurface {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. Socket Mode: undefined. */
  requestListener?: RequestListener;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** App Home is republished at most this often, however fast state changes. */
const HOME_REFRESH_MILLISECONDS = 5_000;
/** How often the incident outbox is read for retries that came due. */
const DRAIN_MILLISECONDS = 1_000;
/** How often open incidents are checked for the end of a group wait or maintenance, and for escalation rules. */
const SWEEP_MILLISECONDS = 10_000;
/** Users whose App Home is kept fresh: those who opened it this recently. */
const HOME_VIEWER_MILLISECONDS = 86_400_000;

/**
 * The Slack app on Bolt: Socket Mode when an app token is configured, otherwise Bolt's HTTP
 * receiver (signature verification on) mounted on our own server. Listeners only translate
 * between Slack and the domain in `services`.
 */
export function createSlackSurface(config: SlackConfig, services: SlackServices): SlackSurface {
  const logger = boltLogger(services.logger);
  const clientOptions = config.apiUrl ? { slackApiUrl: config.apiUrl } : {};
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.mode === 'socket') {
    app = new App({ token: config.botToken, appToken: config.appToken, socketMode: true, clientOptions, logger });
  } else {
    receiver = new HTTPReceiver({ signingSecret: config.signingSecret!, endpoints: '/slack/events', processBeforeResponse: false, logger });
    app = new App({ token: config.botToken, receiver, clientOptions, logger });
  }
  registerEvents(app, services);
  registerCommands(app, services);
  registerActions(app, services);
  // Incident messages retry through the durable outbox, not inside one call: a client that waited
  // out an outage itself would hold the incident's lease and its channel's queue for half an hour.
  const incidentClient = new WebClient(config.botToken, { ...clientOptions, logger, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const notifier = services.incidentMessages ? new IncidentNotifier(incidentClient, { ...services.incidentMessages, catalogue: services.catalogue, pacer: services.pacer, now: services.now, logger: services.logger }) : undefined;
  if (notifier) registerIncidentActions(app, services, notifier);
  registerProposalActions(app, services);
  app.error(async (error) => {
    services.logger.error({ error: error.message, code: (error as { code?: string }).code }, 'Slack listener failed');
  });

  const subscriber = services.redis.duplicate();
  let refreshTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const logDrainFailure = (error: Error) => services.logger.warn({ error: error.message }, 'incident messages: outbox unreadable');
  const refreshHomes = async () => {
    refreshTimer = undefined;
    const viewers = await services.redis.zrangebyscore(`${services.prefix}slack:home-viewers`, Date.now() - HOME_VIEWER_MILLISECONDS, '+inf');
    if (viewers.length === 0) return;
    const view = homeView(await estateStatus(services.status), { now: services.now() });
    for (const user of viewers.slice(0, 100)) {
      await app.client.views.publish({ user_id: user, view }).catch((error: Error) => services.logger.warn({ user, error: error.message }, 'App Home refresh failed'));
    }
  };

  return {
    app,
    requestListener: receiver?.requestListener,
    start: async () => {
      await subscriber.subscribe(stateChangedChannel(services.prefix), incidentChangedChannel(services.prefix));
      subscriber.on('message', (channel: string) => {
        if (channel === incidentChangedChannel(services.prefix)) void notifier?.drain().catch(logDrainFailure);
        refreshTimer ??= setTimeout(() => void refreshHomes(), HOME_REFRESH_MILLISECONDS);
      });
      if (notifier) {
        // Changes wake the drain at once; the timers catch retries that came due, incidents whose
        // group wait or maintenance ended, escalation rules, and whatever a restart left behind.
        drainTimer = setInterval(() => void notifier.drain().catch(logDrainFailure), DRAIN_MILLISECONDS);
        sweepTimer = setInterval(() => void notifier.sweep().catch(logDrainFailure), SWEEP_MILLISECONDS);
        void notifier.drain().catch(logDrainFailure);
      }
      if (config.mode === 'socket') await app.start();
    },
    stop: async () => {
      if (refreshTimer) clearTimeout(refreshTimer);
      if (drainTimer) clearInterval(drainTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      await notifier?.drain().catch(logDrainFailure);
      subscriber.disconnect();
      if (config.mode === 'socket') await app.stop();
    },
  };
}
