import { createHash } from 'node:crypto';
import { ErrorCode as SlackErrorCode, type WebClient } from '@slack/web-api';
import type { Incident, IncidentChange } from '../alerts/correlate.js';
import { escalatedSeverity, firedRules } from '../alerts/escalation.js';
import { incidentChannel } from '../alerts/incident-channel.js';
import { shouldNotify } from '../alerts/noise-policy.js';
import { runbooksOf, type Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import type { IncidentAcknowledgements } from '../state/incident-acknowledgements.js';
import type { IncidentEscalations } from '../state/incident-escalations.js';
import type { DueIncident, IncidentOutbox, ThreadNote } from '../state/incident-outbox.js';
import type { IncidentMessage, IncidentStore, PostingAttempt } from '../state/incident-store.js';
import { escalationNote } from './blocks/escalation-note.js';
import { incidentMessage, incidentNote } from './blocks/incident-message.js';
import { joinedNote } from './blocks/joined-note.js';
import type { BlockMessage } from './blocks/limits.js';
import type { ChannelPacer } from './channel-pacer.js';
import { incidentNoteMetadata, threadHasNote } from './find-incident-note.js';
import { findIncidentRoot, incidentMetadata } from './find-incident-root.js';
import { isSlackOutage, slackErrorText, slackOutageDelay, slackRetryDelay } from './slack-retry.js';

export interface IncidentNotifierDependencies {
  incidents: IncidentStore;
  outbox: IncidentOutbox;
  acknowledgements: IncidentAcknowledgements;
  escalations: IncidentEscalations;
  catalogue: Catalogue;
  pacer: ChannelPacer;
  /** The incidents' clock (simulated time on the simulated world). */
  now: () => number;
  /** Real time, for the outbox's due times and backoffs. Default Date.now. */
  wallClock?: () => number;
  logger: Logger;
  /** Kubernetes context lines for the root message (deploys, warning events); none when absent. */
  context?: (incident: Incident) => Promise<string[]>;
  /** Posted once in a new incident's thread, e.g. the origin service's top log templates; none when absent or undefined. */
  attachment?: (incident: Incident) => Promise<BlockMessage | undefined>;
  /** Called each time an incident's root message is posted or brought up to date (best effort, not awaited): the engine's remediation proposal starts here. */
  onShown?: (incident: Incident, message: IncidentMessage) => Promise<void>;
  /** The thread's closing note when an incident resolves (timeline, root cause, actions, duration); the one-line note when absent. */
  resolution?: (incident: Incident) => Promise<BlockMessage | undefined>;
}

/** Channels synced at once by one process; within a channel, one incident after another. */
const CONCURRENCY = 4;
/** Due incidents read from the outbox per round. */
const BATCH = 100;
/** Renewed while a sync runs; a killed process's incidents move on to another within this. */
const LEASE_MILLISECONDS = 15_000;

/**
 * One Slack message per incident, in the channel of the service it likely started in, posted
 * once and then edited in place; significant changes also go to its thread.
 *
 * It works from the durable outbox, never from a change in memory: `drain()` takes each incident
 * marked due, draws its root message from the incident as stored now, posts or edits it, posts
 * the thread notes waiting for it, and only then takes it off. A failed call leaves the incident
 * due, so nothing is lost, and a restart picks up where the last process stopped. The Web API
 * client given should not retry on its own: the outbox does.
 *
 * Due incidents are synced in the order they came due, one after another within a channel (so
 * a channel shows its incidents in the order their first alerts arrived), several channels at
 * once. A failure of the incident's own (a channel the bot is not in, say) puts that incident
 * off with a backoff. Slack itself failing (no connection, HTTP 5xx, `service_unavailable`, a 429)
 * pauses the whole notifier instead, without moving any incident: it asks again after 1 s, 2 s,
 * 4 s … up to 15 s (or when a 429 says), and once Slack answers, everything that waited goes out
 * at once and in its order, rather than each incident whenever its own backoff comes round.
 */
export class IncidentNotifier {
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private readonly attempts = new Map<string, number>();
  /** Incidents with nowhere to go, already logged. */
  private readonly unroutable = new Set<string>();
  private readonly wallClock: () => number;
  /** While Slack is out: no call before this (wall clock), and how many times in a row it failed. */
  private outage: { until: number; failures: number } | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly dependencies: IncidentNotifierDependencies,
  ) {
    this.wallClock = dependencies.wallClock ?? Date.now;
  }

  /** Syncs every due incident; a call while a drain runs makes that drain go round once more. */
  drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainRounds().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private slackOut(): boolean {
    return this.outage !== undefined && this.wallClock() < this.outage.until;
  }

  private async drainRounds(): Promise<void> {
    do {
      this.drainAgain = false;
      if (this.slackOut()) return;
      const due = await this.dependencies.outbox.due(this.wallClock(), BATCH);
      const lanes = [...(await this.byChannel(due)).values()];
      // CONCURRENCY channels at a time, each taking the next channel once its own is done.
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, lanes.length) }, async () => {
          for (let lane = lanes.shift(); lane; lane = lanes.shift()) {
            for (const entry of lane) {
              // Another process syncing one of them (a second bot replica) has the rest of its channel's too, for this round.
              if (this.slackOut() || !(await this.syncDue(entry))) break;
            }
          }
        }),
      );
      if (due.length === BATCH) this.drainAgain = true;
    } while (this.drainAgain && !this.slackOut());
  }

  /** Due incidents by the channel they are (or will be) posted in, each channel's in the order they came due. */
  private async byChannel(due: readonly DueIncident[]): Promise<Map<string, DueIncident[]>> {
    const { incidents, catalogue } = this.dependencies;
    const channels = await Promise.all(
      due.map(async (entry) => {
        const message = await incidents.message(entry.incidentId);
        if (message) return message.channel;
        const incident = await incidents.get(entry.incidentId);
        // Nowhere to post, or gone: a lane of its own, the sync says why.
        return (incident && incidentChannel(incident, catalogue)) ?? `incident:${entry.incidentId}`;
      }),
    );
    const lanes = new Map<string, DueIncident[]>();
    due.forEach((entry, index) => lanes.set(channels[index]!, [...(lanes.get(channels[index]!) ?? []), entry]));
    return lanes;
  }

  /** Syncs one due incident; false when another process holds it (and leaves it due if it changed meanwhile). */
  private async syncDue(entry: DueIncident): Promise<boolean> {
    const { outbox, logger } = this.dependencies;
    return outbox.exclusively(entry.incidentId, LEASE_MILLISECONDS, async () => {
      try {
        // Read before the sync draws it: what the messages show is at least this revision.
        const revision = (await this.dependencies.incidents.get(entry.incidentId))?.revision ?? 0;
        await this.sync(entry.incidentId);
        this.attempts.delete(entry.incidentId);
        if (this.outage) logger.info({ failures: this.outage.failures }, 'Slack answers again: incident messages that waited are being sent');
        this.outage = undefined;
        await outbox.complete(entry, revision);
      } catch (error) {
        if (isSlackOutage(error)) {
          // Slack is out, not this incident's problem: it stays due where it is, and everything waits.
          // Calls that fail together (other channels, already under way) are one failure.
          if (!this.slackOut()) {
            const failures = (this.outage?.failures ?? 0) + 1;
            const pause = slackOutageDelay(error, failures);
            this.outage = { until: this.wallClock() + pause, failures };
            logger.warn({ incident: entry.incidentId, failures, retryInSeconds: pause / 1000, error: slackErrorText(error) }, 'Slack unavailable: incident messages wait in the outbox; asking again');
          }
          return;
        }
        const attempt = (this.attempts.get(entry.incidentId) ?? 0) + 1;
        this.attempts.set(entry.incidentId, attempt);
        const delay = slackRetryDelay(error, attempt);
        logger.warn({ incident: entry.incidentId, attempt, retryInSeconds: delay / 1000, error: slackErrorText(error) }, `incident message not delivered; will retry`);
        await outbox.retryAt(entry, this.wallClock() + delay);
      }
    });
  }

  /** Brings one incident's root message and thread up to date with the incident as stored now. */
  private async sync(incidentId: string): Promise<void> {
    const { incidents, outbox, now, logger } = this.dependencies;
    // Notes first: whatever is drawn below was read after them, so a new root message tells them all.
    const notes = await outbox.notes(incidentId);
    const incident = await incidents.get(incidentId);
    if (!incident) return outbox.dropNotes(incidentId, notes.length);
    const shown = await this.shown(incident);
    const body = await this.body(shown);
    const message = await incidents.message(incidentId);
    if (!message) {
      const decision = shouldNotify(shown, now(), this.dependencies.catalogue.alerting);
      const channel = incidentChannel(incident, this.dependencies.catalogue);
      // Not posted, and none to post: over within its group wait, or still held back (the sweep
      // comes back for it). An incident that outlived its wait is posted even if it is over by now
      // (Slack was down, say): it happened, and the channel's record should say so.
      if (!decision.notify || !channel) {
        // Start-up refuses Slack without the catch-all (see catchAllProblem), so only a notifier built without one gets here: said once per incident, not every sweep.
        if (!channel && !this.unroutable.has(incidentId)) {
          this.unroutable.add(incidentId);
          logger.warn({ incident: incidentId }, 'incident names no catalogued service and alerting.defaultChannel is not set: not posted');
        }
        return outbox.dropNotes(incidentId, notes.length);
      }
      // Dropped first: the root, whenever it is posted, is drawn after them and tells them all.
      await outbox.dropNotes(incidentId, notes.length);
      const posted = await this.postRoot(incidentId, channel, body);
      // Supplementary, so best effort: the root is recorded already and a failure here must not repost it.
      await this.attach(incident, posted).catch((error: unknown) => logger.warn({ incident: incidentId, error: slackErrorText(error) }, 'incident attachment not posted'));
      this.shownHook(shown, posted);
      return;
    }
    await this.dependencies.pacer.send(message.channel, () => this.client.chat.update({ channel: message.channel, ts: message.ts, ...body, metadata: incidentMetadata(incidentId) }));
    this.shownHook(shown, message);
    // An interrupted attempt's notes stay one reply, whatever joined them since.
    const attempt = await outbox.notePosting(incidentId);
    const interrupted = attempt && attempt.count <= notes.length && noteKey(notes.slice(0, attempt.count)) === attempt.key ? attempt : undefined;
    const runs = interrupted ? [notes.slice(0, interrupted.count), ...runsOfJoins(notes.slice(interrupted.count))] : runsOfJoins(notes);
    for (const [index, run] of runs.entries()) {
      const key = noteKey(run);
      const told = index === 0 && interrupted !== undefined && (await this.toldBefore(message, incidentId, key, interrupted.at));
      const reply = told ? undefined : run.length > 1 || run[0]!.kind === 'joined' ? joinedNote(run as IncidentChange[], shown) : await this.noteFor(run[0]!, shown);
      if (reply) {
        await outbox.markNotePosting(incidentId, { key, count: run.length, at: this.wallClock() });
        await this.dependencies.pacer.send(message.channel, () => this.client.chat.postMessage({ channel: message.channel, thread_ts: message.ts, ...reply, metadata: incidentNoteMetadata(incidentId, key) }));
      }
      await outbox.dropNotes(incidentId, run.length);
    }
  }

  private shownHook(incident: Incident, message: IncidentMessage): void {
    void this.dependencies.onShown?.(incident, message).catch((error: unknown) => this.dependencies.logger.warn({ incident: incident.id, error: (error as Error).message }, 'no remediation proposed for the incident'));
  }

  private async attach(incident: Incident, message: IncidentMessage): Promise<void> {
    const attachment = await this.dependencies.attachment?.(incident);
    if (attachment) await this.dependencies.pacer.send(message.channel, () => this.client.chat.postMessage({ channel: message.channel, thread_ts: message.ts, ...attachment }));
  }

  /** The incident as people see it: with the severity escalation rules raised it to. */
  private async shown(incident: Incident): Promise<Incident> {
    const fired = firedRules(await this.dependencies.escalations.fired(incident.id), this.dependencies.catalogue.alerting.escalation);
    return { ...incident, severity: escalatedSeverity(incident, fired) };
  }

  private async body(incident: Incident): Promise<BlockMessage> {
    const acknowledgement = await this.dependencies.acknowledgements.get(incident.id);
    const context = (await this.dependencies.context?.(incident)) ?? [];
    const runbooks = runbooksOf(this.dependencies.catalogue, incident.services);
    return incidentMessage(incident, { now: this.dependencies.now(), acknowledgedBy: acknowledgement?.by, context, runbooks });
  }

  /**
   * Posts the root message exactly once. The attempt is written down first; if a poster died
   * after posting but before recording, the message is found in the channel by its metadata
   * rather than posted again.
   */
  private async postRoot(incidentId: string, channel: string, body: BlockMessage): Promise<IncidentMessage> {
    const { incidents, pacer } = this.dependencies;
    const attempt = await incidents.postingAttempt(incidentId);
    const earlier = attempt ? await this.findEarlierRoot(incidentId, attempt) : undefined;
    if (earlier) {
      await incidents.setMessage(incidentId, earlier);
      await pacer.send(earlier.channel, () => this.client.chat.update({ channel: earlier.channel, ts: earlier.ts, ...body, metadata: incidentMetadata(incidentId) }));
      return earlier;
    }
    await incidents.markPosting(incidentId, { channel, at: this.wallClock() });
    const posted = await pacer.send(channel, () => this.client.chat.postMessage({ channel, ...body, metadata: incidentMetadata(incidentId) }));
    const message = { channel: posted.channel ?? channel, ts: posted.ts! };
    await incidents.setMessage(incidentId, message);
    return message;
  }

  /**
   * The message an earlier attempt may have posted. Slack refusing the lookup (an app installed
   * without the history scopes) is no reason to leave the incident unposted: it is posted again,
   * at the small risk of a second message, and the log says why. An outage is retried as usual.
   */
  private async findEarlierRoot(incidentId: string, attempt: PostingAttempt): Promise<IncidentMessage | undefined> {
    try {
      return await findIncidentRoot(this.client, attempt.channel, incidentId, attempt.at);
    } catch (error) {
      if ((error as { code?: string }).code !== SlackErrorCode.PlatformError) throw error;
      this.dependencies.logger.warn({ incident: incidentId, error: slackErrorText(error) }, 'cannot look for the message an interrupted attempt may have posted (does the app have channels:history?); posting it');
      return undefined;
    }
  }

  /** Whether an interrupted attempt's reply is in the thread; a refused lookup posts it again, as findEarlierRoot does. */
  private async toldBefore(message: IncidentMessage, incidentId: string, key: string, since: number): Promise<boolean> {
    try {
      return await threadHasNote(this.client, message, incidentId, key, since);
    } catch (error) {
      if ((error as { code?: string }).code !== SlackErrorCode.PlatformError) throw error;
      this.dependencies.logger.warn({ incident: incidentId, error: slackErrorText(error) }, 'cannot look for the thread note an interrupted attempt may have posted (does the app have channels:history?); posting it');
      return false;
    }
  }

  private async noteFor(note: ThreadNote, incident: Incident): Promise<BlockMessage | undefined> {
    if (note.kind === 'resolved' && incident.status === 'resolved' && this.dependencies.resolution) {
      // The summary is supplementary: failing to build it must not hold back the thread's other notes.
      const summary = await this.dependencies.resolution(incident).catch((error: unknown) => {
        this.dependencies.logger.warn({ incident: incident.id, error: (error as Error).message }, 'resolution summary not built; posting the short note');
        return undefined;
      });
      if (summary) return summary;
    }
    if (note.kind !== 'escalation-rule') return incidentNote(note, incident);
    const rule = this.dependencies.catalogue.alerting.escalation.find((candidate) => candidate.name === note.rule);
    return rule ? escalationNote(rule) : undefined;
  }
}

/** What a thread reply told, as the key its metadata carries: the same notes give the same key in any process. */
function noteKey(notes: readonly ThreadNote[]): string {
  return createHash('sha256').update(JSON.stringify(notes)).digest('hex').slice(0, 24);
}

/** The notes in order, consecutive joins grouped (they become one note), everything else alone. */
function runsOfJoins(notes: readonly ThreadNote[]): ThreadNote[][] {
  const runs: ThreadNote[][] = [];
  for (const note of notes) {
    const last = runs.at(-1);
    if (note.kind === 'joined' && last?.[0]?.kind === 'joined') last.push(note);
    else runs.push([note]);
  }
  return runs;
}
