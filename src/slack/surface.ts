import { App, HTTPReceiver } from '@slack/bolt';
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
import type { IncidentChange } from '../alerts/correlate.js';
import { IncidentNotifier } from './incident-notifier.js';
import { registerIncidentActions } from './listeners/actions/incident-actions.js';

export interface SlackSurface {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. Socket Mode: undefined. */
  requestListener?: RequestListener;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** App Home is republished at most this often, however fast state changes. */
const HOME_REFRESH_MILLISECONDS = 5_000;
/** How often incidents held back by the group wait are checked for being due. */
const DUE_CHECK_MILLISECONDS = 10_000;
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
  const notifier =
    services.incidents && services.acknowledgements
      ? new IncidentNotifier(app.client, {
          incidents: services.incidents,
          acknowledgements: services.acknowledgements,
          catalogue: services.catalogue,
          pacer: services.pacer,
          now: services.now,
          logger: services.logger,
        })
      : undefined;
  if (notifier) registerIncidentActions(app, services, notifier);
  app.error(async (error) => {
    services.logger.error({ error: error.message, code: (error as { code?: string }).code }, 'Slack listener failed');
  });

  const subscriber = services.redis.duplicate();
  let refreshTimer: NodeJS.Timeout | undefined;
  let dueTimer: NodeJS.Timeout | undefined;
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
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === incidentChangedChannel(services.prefix)) void notifier?.handle(JSON.parse(message) as IncidentChange);
        refreshTimer ??= setTimeout(() => void refreshHomes(), HOME_REFRESH_MILLISECONDS);
      });
      // New low-severity incidents wait a little before they are posted; this posts them when due.
      dueTimer = notifier ? setInterval(() => void notifier.postDue().catch((error: Error) => services.logger.warn({ error: error.message }, 'posting due incidents failed')), DUE_CHECK_MILLISECONDS) : undefined;
      dueTimer?.unref();
      if (config.mode === 'socket') await app.start();
    },
    stop: async () => {
      if (refreshTimer) clearTimeout(refreshTimer);
      if (dueTimer) clearInterval(dueTimer);
      subscriber.disconnect();
      if (config.mode === 'socket') await app.stop();
    },
  };
}
