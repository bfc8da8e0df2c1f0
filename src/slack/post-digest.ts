import type { WebClient } from '@slack/web-api';
import { SCHEDULED_FORECAST_SIGNALS } from '../jobs/forecast-service.js';
import { duePeriod, periodDigest } from '../investigation/period-digest.js';
import { digestMessage } from './blocks/digest-message.js';
import type { SlackServices } from './slack-services.js';

/** A digest more than this late (the bot was down when it was due) is skipped, not posted stale. */
const LATEST_MILLISECONDS = 6 * 3_600_000;
/** Long enough to read the sources and post, short enough that a crashed poster does not block the next try for long. */
const LEASE_MILLISECONDS = 120_000;

export type DigestOutcome = 'not-configured' | 'too-late' | 'posted' | 'already-posted';

/**
 * Posts the digest of the period that ended last, once across every bot replica (a lease and a
 * done marker per period), to the catalogue's digest channel. Called every minute; cheap when
 * there is nothing to do.
 */
export async function postDueDigest(client: WebClient, services: SlackServices): Promise<DigestOutcome> {
  const settings = services.catalogue.capacity?.digest;
  if (!settings) return 'not-configured';
  const now = services.now();
  const period = duePeriod(now, settings.every, settings.hourUtc);
  if (now - period.end > LATEST_MILLISECONDS) return 'too-late';
  const { metrics, cluster } = services.investigation.answers;
  const posted = await services.stores.claims.onceFor(`digest:${settings.every}:${period.key}`, LEASE_MILLISECONDS, async () => {
    const digest = await periodDigest(
      { catalogue: services.catalogue, metrics, cluster, now: services.now, incidents: services.stores.incidents, audit: services.stores.audit, forecasts: services.stores.forecasts, ...(services.history ? { history: services.history } : {}) },
      period,
      SCHEDULED_FORECAST_SIGNALS,
    );
    const message = digestMessage(digest, now);
    await services.pacer.send(settings.channel, () => client.chat.postMessage({ channel: settings.channel, text: message.text, blocks: message.blocks as never }));
  });
  return posted ? 'posted' : 'already-posted';
}
