import { escalatedSeverity, firedRules } from '../alerts/escalation.js';
import { shouldNotify } from '../alerts/noise-policy.js';
import { pageContent } from '../alerts/page-content.js';
import { nextPageAction, pagedReceivers, STATE_AFTER, type PageAction } from '../alerts/page-plan.js';
import { runbooksOf, type Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import type { PageOutcome, PageReceiver } from '../paging/page-receiver.js';
import type { DueEntry } from '../state/due-set.js';
import type { Subscription } from '../state/state-changed.js';
import type { Stores } from '../state/stores.js';

export interface PageCounters {
  pageSent(receiver: string, action: PageAction, outcome: PageOutcome['kind']): void;
}

export interface PagerDependencies {
  stores: Pick<Stores, 'incidents' | 'pages' | 'acknowledgements' | 'escalations' | 'changes'>;
  catalogue: Catalogue;
  /** The catalogue's receivers by name (see createPageReceivers). */
  receivers: ReadonlyMap<string, PageReceiver>;
  /** The incidents' clock (simulated time on the simulated world). */
  now: () => number;
  /** Real time, for the outbox's due times and backoffs. Default Date.now. */
  wallClock?: () => number;
  logger: Logger;
  counters?: PageCounters;
}

/** Due incidents read per round. */
const BATCH = 50;
/** Renewed while an incident is paged; a killed process's incidents move on to another within this. */
const LEASE_MILLISECONDS = 15_000;
/** How often the outbox is read besides being woken by a change: backoffs that came due. */
const DRAIN_MILLISECONDS = 1000;
/** An incident held back (group wait, maintenance) is looked at again within this, in real time. */
const HELD_RECHECK_MILLISECONDS = 5000;
/** Backoff after a pager's 429, 5xx or silence: 1 s, 2 s, 4 s … up to this, unless it said Retry-After. */
const MAXIMUM_BACKOFF_MILLISECONDS = 5 * 60_000;

/**
 * Pages PagerDuty and Opsgenie as Alertmanager's receivers do: one page per incident under a
 * stable key, triggered when the incident is shown (past its group wait, outside maintenance)
 * and routed to the receiver, acknowledged when someone acknowledges it in Slack, resolved when
 * it resolves. It works from the durable page outbox, never from a change in memory: each due
 * incident is compared, under a lease, with what every receiver was last told (see
 * nextPageAction), told only what differs, and taken off once all agree. A 429, a 5xx or no
 * answer leaves the incident due with a backoff; a restart, or another bot replica, picks up
 * where the last stopped, and a trigger repeated after a crash lands on the same key, so it is
 * still one page.
 */
export class Pager {
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private readonly attempts = new Map<string, number>();
  private readonly wallClock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;
  /** Whether the outbox could not be read last time: said once per outage, not once a second. */
  private unreadable = false;

  constructor(private readonly dependencies: PagerDependencies) {
    this.wallClock = dependencies.wallClock ?? Date.now;
  }

  /** Drains now, again whenever incidents change, and every second for backoffs that came due. */
  async start(): Promise<void> {
    this.subscription = await this.dependencies.stores.changes.subscribe((change) => {
      if (change === 'incidents') void this.drainLogged();
    });
    this.timer = setInterval(() => void this.drainLogged(), DRAIN_MILLISECONDS);
    void this.drainLogged();
  }

  /** Stops the timer after one last drain, so what is due now goes out before the process ends. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscription?.close();
    await this.drainLogged();
  }

  /** Pages every due incident; a call while a drain runs makes that drain go round once more. */
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

  private drainLogged(): Promise<void> {
    return this.drain().then(
      () => {
        if (this.unreadable) this.dependencies.logger.info('paging: outbox readable again');
        this.unreadable = false;
      },
      (error: Error) => {
        if (!this.unreadable) this.dependencies.logger.warn({ error: error.message }, 'paging: outbox unreadable; retrying every second');
        this.unreadable = true;
      },
    );
  }

  private async drainRounds(): Promise<void> {
    do {
      this.drainAgain = false;
      const due = await this.dependencies.stores.pages.due(this.wallClock(), BATCH);
      for (const entry of due) await this.dependencies.stores.pages.exclusively(entry.incidentId, LEASE_MILLISECONDS, () => this.page(entry));
      if (due.length === BATCH) this.drainAgain = true;
    } while (this.drainAgain);
  }

  /** Tells every receiver concerned what it is behind on about one incident. */
  private async page(entry: DueEntry): Promise<void> {
    const { stores, catalogue, receivers, now, logger, counters } = this.dependencies;
    const incident = await stores.incidents.get(entry.incidentId);
    // Pruned (long resolved): nothing left to tell.
    if (!incident) return stores.pages.complete(entry);
    const states = await stores.pages.states(incident.id);
    const fired = firedRules(await stores.escalations.fired(incident.id), catalogue.alerting.escalation);
    const shown = { ...incident, severity: escalatedSeverity(incident, fired) };
    const decision = shouldNotify(shown, now(), catalogue.alerting);
    const acknowledgement = await stores.acknowledgements.get(incident.id);
    const routed = new Set(pagedReceivers(shown, catalogue, fired));
    let retryIn: number | undefined;
    let held = false;
    for (const name of [...new Set([...routed, ...Object.keys(states)])].sort()) {
      // A receiver taken out of the catalogue keeps what it was told; nothing here can reach it.
      const receiver = receivers.get(name);
      if (!receiver) continue;
      const action = nextPageAction(shown, routed.has(name), { shownNow: decision.notify, acknowledged: acknowledgement !== undefined }, states[name]);
      if (!action) {
        held ||= routed.has(name) && !decision.notify && states[name] === undefined && decision.retryAt !== undefined;
        continue;
      }
      const actor = action === 'acknowledge' ? acknowledgement?.by : action === 'resolve' ? incident.resolvedBy : undefined;
      const outcome = await receiver.send(action, pageContent(shown, actor, runbooksOf(catalogue, incident.services)));
      counters?.pageSent(name, action, outcome.kind);
      const fields = { incident: incident.id, receiver: name, type: receiver.type, action };
      if (outcome.kind === 'retry') {
        const attempt = (this.attempts.get(incident.id) ?? 0) + 1;
        this.attempts.set(incident.id, attempt);
        const delay = outcome.retryAfterMilliseconds ?? Math.min(1000 * 2 ** (attempt - 1), MAXIMUM_BACKOFF_MILLISECONDS);
        retryIn = Math.max(retryIn ?? 0, delay);
        logger.warn({ ...fields, attempt, retryInSeconds: delay / 1000, reason: outcome.reason }, `page not delivered to ${name}; will retry`);
        continue;
      }
      if (outcome.kind === 'rejected') logger.error({ ...fields, reason: outcome.reason }, `${name} refused the page (${outcome.reason}); not retried: check its key and the catalogue`);
      else logger.info(fields, `${incident.id}: ${action} sent to ${name}`);
      await stores.pages.record(incident.id, name, STATE_AFTER[action]);
    }
    if (retryIn !== undefined) return stores.pages.retryAt(entry, this.wallClock() + retryIn);
    this.attempts.delete(incident.id);
    // Held in its group wait or a maintenance window: looked at again when that may have ended.
    if (held) return stores.pages.retryAt(entry, this.wallClock() + Math.min(Math.max(decision.retryAt! - now(), 1000), HELD_RECHECK_MILLISECONDS));
    await stores.pages.complete(entry);
  }
}
