import { escalationsDue } from '../alerts/escalation.js';
import type { Catalogue } from '../catalogue.js';
import type { Logger } from '../logger.js';
import type { Stores } from '../state/stores.js';

export interface MessageSweepDependencies {
  stores: Pick<Stores, 'incidents' | 'outbox' | 'acknowledgements' | 'escalations'>;
  catalogue: Catalogue;
  /** The incidents' clock. */
  now: () => number;
  /** Real time, for the outbox's due times. */
  wallClock: () => number;
  logger: Logger;
}

/**
 * What time alone changes about incident messages, and a repair; run on a timer beside the
 * process talking to Slack:
 * - an incident whose messages show an older revision than its own, yet waits nowhere in the
 *   outbox (a change stored without its mark by an older version, a bug, a hand edit), is marked again;
 * - an open incident not posted yet is marked again, so the end of its group wait or of a
 *   maintenance window is noticed;
 * - an escalation rule that has come to apply fires, once per incident: recorded, logged, and a
 *   note queued for the incident's thread (the message shows the raised severity from then on).
 */
export async function sweepIncidentMessages({ stores, catalogue, now, wallClock, logger }: MessageSweepDependencies): Promise<void> {
  const { incidents, outbox, acknowledgements, escalations } = stores;
  const all = await incidents.all();
  const behind = await outbox.markBehind(all.map((incident) => ({ incidentId: incident.id, revision: incident.revision })), wallClock());
  if (behind.length > 0) logger.warn({ incidents: behind }, `incident messages behind their incidents, marked again: ${behind.join(', ')}`);
  for (const incident of all.filter((candidate) => candidate.status === 'open')) {
    if (!(await incidents.message(incident.id))) await outbox.touch(incident.id, wallClock());
    const acknowledged = (await acknowledgements.get(incident.id)) !== undefined;
    for (const rule of escalationsDue(incident, catalogue.alerting.escalation, { acknowledged, now: now() })) {
      if (await escalations.record(incident.id, rule.name)) {
        logger.info({ incident: incident.id, rule: rule.name, raiseTo: rule.raiseTo }, `incident ${incident.id} escalated by rule "${rule.name}"`);
        await outbox.addNote({ kind: 'escalation-rule', incidentId: incident.id, rule: rule.name }, wallClock());
      }
    }
  }
}
