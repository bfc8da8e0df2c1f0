import type { WebClient } from '@slack/web-api';
import type { Incident, IncidentChange } from '../alerts/correlate.js';
import { shouldNotify, type NoisePolicyOptions } from '../alerts/noise-policy.js';
import type { Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import type { IncidentAcknowledgements } from '../state/incident-acknowledgements.js';
import type { IncidentStore } from '../state/incident-store.js';
import { incidentMessage, incidentNote } from './blocks/incident-message.js';
import type { ChannelPacer } from './channel-pacer.js';

export interface IncidentNotifierDependencies {
  incidents: IncidentStore;
  acknowledgements: IncidentAcknowledgements;
  catalogue: Catalogue;
  pacer: ChannelPacer;
  now: () => number;
  logger: Logger;
  noise?: NoisePolicyOptions;
}

/** Changes that deserve a line in the incident's thread; the root message shows every change anyway. */
const NOTED: ReadonlySet<IncidentChange['kind']> = new Set(['joined', 'escalated', 'flapping', 'resolved']);

/**
 * One Slack message per incident, in the channel of the service it likely started in: posted
 * once (the root claim in Redis makes sure of that across processes and restarts), then edited in
 * place; significant changes also go to its thread. Changes arrive in order per process.
 */
export class IncidentNotifier {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: WebClient,
    private readonly dependencies: IncidentNotifierDependencies,
  ) {}

  /** Handles one change; changes are applied one after another so thread notes keep their order. */
  handle(change: IncidentChange): Promise<void> {
    const next = this.queue.then(() => this.apply(change)).catch((error: Error) => this.dependencies.logger.error({ incident: change.incidentId, error: error.message }, 'incident message failed'));
    this.queue = next;
    return next;
  }

  /** Posts the root message of open incidents that are now due (a new low-severity one waits a little first). */
  async postDue(): Promise<void> {
    for (const incident of await this.dependencies.incidents.open()) {
      if (!(await this.dependencies.incidents.message(incident.id))) await this.render(incident);
    }
  }

  /** Re-renders the root message, e.g. after an acknowledgement. */
  async render(incident: Incident): Promise<void> {
    const { incidents, now } = this.dependencies;
    const acknowledgement = await this.dependencies.acknowledgements.get(incident.id);
    const body = incidentMessage(incident, { now: now(), acknowledgedBy: acknowledgement?.by });
    const existing = await incidents.message(incident.id);
    if (existing) {
      await this.client.chat.update({ channel: existing.channel, ts: existing.ts, ...body });
      return;
    }
    if (incident.status !== 'open' || !shouldNotify(incident, now(), this.dependencies.noise).notify) return;
    const channel = this.channelFor(incident);
    if (!channel) {
      this.dependencies.logger.warn({ incident: incident.id }, 'incident has no catalogued service, so no channel: not posted');
      return;
    }
    if (!(await incidents.claimRootMessage(incident.id))) return;
    try {
      const posted = await this.dependencies.pacer.send(channel, () => this.client.chat.postMessage({ channel, ...body }));
      await incidents.setMessage(incident.id, { channel: posted.channel ?? channel, ts: posted.ts! });
    } catch (error) {
      await incidents.releaseRootMessage(incident.id);
      throw error;
    }
  }

  private async apply(change: IncidentChange): Promise<void> {
    if (!change.incidentId) return;
    const incident = await this.dependencies.incidents.get(change.incidentId);
    if (!incident) return;
    const hadMessage = (await this.dependencies.incidents.message(incident.id)) !== undefined;
    await this.render(incident);
    const message = await this.dependencies.incidents.message(incident.id);
    const note = hadMessage && NOTED.has(change.kind) ? incidentNote(change, incident) : undefined;
    if (message && note) await this.dependencies.pacer.send(message.channel, () => this.client.chat.postMessage({ channel: message.channel, thread_ts: message.ts, ...note }));
  }

  private channelFor(incident: Incident): string | undefined {
    const service = incident.origin ?? incident.services[0];
    return service === undefined ? undefined : this.dependencies.catalogue.services[service]?.channel;
  }
}
