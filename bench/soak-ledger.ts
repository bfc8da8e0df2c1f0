import type { Redis } from 'ioredis';
import { INCIDENT_EVENT_TYPE } from '../src/slack/find-incident-root.js';
import type { FakeSlack } from '../test/fakes/slack.js';
import type { SoakFault } from './soak-faults.js';

/**
 * What the soak checks its faults against: the incidents the bot stored (read from Redis every few
 * seconds, since a resolved incident is pruned a simulated day later: 24 real minutes at
 * AIOPS_SIM_SPEED=60) and the root messages a user sees in the fake Slack.
 */

/** Where the bot keeps its incidents (src/state/incident-store.ts: one hash, JSON by id). */
const INCIDENTS_KEY = 'aiops:incidents';

interface SeenIncident {
  id: string;
  status: 'open' | 'resolved';
  mergedInto?: string;
  /** Alert fingerprint → its status and source, as last seen. */
  alerts: Map<string, { status: string; source: string }>;
}

export class IncidentLedger {
  /** Every incident as last seen, kept after the bot prunes it. */
  readonly incidents = new Map<string, SeenIncident>();
  /** Fingerprint → every incident seen holding it. */
  private readonly holders = new Map<string, Set<string>>();
  polls = 0;

  constructor(private readonly redis: Redis) {}

  async poll(): Promise<void> {
    const bodies = await this.redis.hgetall(INCIDENTS_KEY);
    this.polls += 1;
    for (const [id, body] of Object.entries(bodies)) {
      const parsed = JSON.parse(body) as { status: 'open' | 'resolved'; mergedInto?: string; alerts: Record<string, { status: string; source: string }> };
      const alerts = new Map(Object.entries(parsed.alerts).map(([fingerprint, alert]) => [fingerprint, { status: alert.status, source: alert.source }]));
      this.incidents.set(id, { id, status: parsed.status, ...(parsed.mergedInto ? { mergedInto: parsed.mergedInto } : {}), alerts });
      for (const fingerprint of alerts.keys()) {
        const holding = this.holders.get(fingerprint) ?? this.holders.set(fingerprint, new Set()).get(fingerprint)!;
        holding.add(id);
      }
    }
  }

  /** The incident an incident ended up in, following merges. */
  survivor(id: string): string {
    const seen = new Set<string>();
    let current = id;
    while (!seen.has(current)) {
      seen.add(current);
      const into = this.incidents.get(current)?.mergedInto;
      if (!into) return current;
      current = into;
    }
    return current;
  }

  /** The incidents that ever held one of these alerts, and the ones they ended up in. */
  holding(fingerprints: string[]): { seen: Set<string>; survivors: Set<string> } {
    const seen = new Set(fingerprints.flatMap((fingerprint) => [...(this.holders.get(fingerprint) ?? [])]));
    return { seen, survivors: new Set([...seen].map((id) => this.survivor(id))) };
  }

  /** Incidents with at least one alert of our own detectors. */
  detectorIncidents(): string[] {
    return [...this.incidents.values()].filter((incident) => [...incident.alerts.values()].some((alert) => alert.source === 'detector')).map((incident) => incident.id);
  }
}

/** A root message as posted, and how it reads now. */
export interface RootMessage {
  incidentId: string;
  channel: string;
  ts: string;
  postedAt: number;
  text: string;
  /** When an edit first showed it resolved (real ms), if one did. */
  shownResolvedAt?: number;
}

/** Every incident root message the bot posted (chat.postMessage with the incident's metadata, outside a thread). */
export function rootMessages(slack: FakeSlack): RootMessage[] {
  const current = new Map(slack.messages().map((message) => [message.ts, message]));
  const updates = slack.calls('chat.update');
  const roots: RootMessage[] = [];
  for (const call of slack.calls('chat.postMessage')) {
    const metadata = call.body.metadata as { event_type?: string; event_payload?: { incident_id?: string } } | undefined;
    const response = call.response as { ok?: boolean; ts?: string; channel?: string } | undefined;
    if (metadata?.event_type !== INCIDENT_EVENT_TYPE || call.body.thread_ts !== undefined || !response?.ok || !response.ts) continue;
    const ts = response.ts;
    const resolvedEdit = updates.find((update) => update.body.ts === ts && String(update.body.text ?? '').startsWith('Resolved') && (update.response as { ok?: boolean }).ok);
    roots.push({
      incidentId: metadata.event_payload?.incident_id ?? 'unknown',
      channel: response.channel ?? String(call.body.channel),
      ts,
      postedAt: call.at,
      text: current.get(ts)?.text ?? String(call.body.text ?? ''),
      ...(resolvedEdit ? { shownResolvedAt: resolvedEdit.at } : String(call.body.text ?? '').startsWith('Resolved') ? { shownResolvedAt: call.at } : {}),
    });
  }
  return roots;
}

export type FaultOutcome = 'own incident' | 'joined an open incident' | 'merged' | 'missed' | 'duplicated';

export interface FaultCheck {
  fault: SoakFault;
  outcome: FaultOutcome;
  incidentIds: string[];
  rootCount: number;
  /** Every alert of the fault resolved in its incident. */
  alertsResolved: boolean;
  /** Its root message reads "Resolved …" (required when the incident holds this fault's alerts only). */
  shownResolved: boolean;
  /** Real ms from its first delivery to its root message; undefined unless it opened its own. */
  postedAfter?: number;
  /** Real ms from its resolve's delivery to the root message showing it resolved. */
  resolvedAfter?: number;
  detail: string;
}

/** Checks one fault: exactly one incident holds its alerts, with exactly one root message, resolved. */
export function checkFault(fault: SoakFault, ledger: IncidentLedger, roots: RootMessage[], startedAt: number): FaultCheck {
  const fingerprints = fault.alerts.map((alert) => alert.fingerprint);
  const { seen, survivors } = ledger.holding(fingerprints);
  const incidentIds = [...survivors];
  const rootsOf = (id: string) => roots.filter((root) => root.incidentId === id);
  const base = { fault, incidentIds, alertsResolved: false, shownResolved: false };
  if (survivors.size === 0) return { ...base, outcome: 'missed', rootCount: 0, detail: 'no incident holds its alerts' };
  if (survivors.size > 1) return { ...base, outcome: 'duplicated', rootCount: incidentIds.reduce((sum, id) => sum + rootsOf(id).length, 0), detail: `its alerts are in ${survivors.size} incidents: ${incidentIds.join(', ')}` };
  const incidentId = incidentIds[0]!;
  const incident = ledger.incidents.get(incidentId)!;
  const own = rootsOf(incidentId);
  const alertsResolved = fingerprints.every((fingerprint) => incident.alerts.get(fingerprint)?.status === 'resolved');
  const others = [...incident.alerts.keys()].filter((fingerprint) => !fingerprints.includes(fingerprint));
  const root = own[0];
  const shownResolved = root?.shownResolvedAt !== undefined && root.text.startsWith('Resolved');
  const check: FaultCheck = { ...base, incidentIds, rootCount: own.length, alertsResolved, shownResolved, detail: '', outcome: 'own incident' };
  if (own.length === 0) return { ...check, outcome: 'missed', detail: `${incidentId} has no root message in Slack` };
  if (own.length > 1) return { ...check, outcome: 'duplicated', detail: `${incidentId} has ${own.length} root messages` };
  if (seen.size > 1) return { ...check, outcome: 'merged', detail: `${[...seen].filter((id) => id !== incidentId).join(', ')} merged into ${incidentId}` };
  if (others.length > 0) {
    const detector = others.some((fingerprint) => incident.alerts.get(fingerprint)?.source === 'detector');
    return { ...check, outcome: 'joined an open incident', detail: `${incidentId} with ${others.length} other alert(s)${detector ? ', from the detectors' : ''}` };
  }
  return {
    ...check,
    postedAfter: root!.postedAt - (startedAt + fault.firesAt),
    ...(root!.shownResolvedAt !== undefined ? { resolvedAfter: root!.shownResolvedAt - (startedAt + fault.resolvesAt) } : {}),
    detail: incidentId,
  };
}

/**
 * A fault passes when exactly one incident took it, posted once, and its alerts ended (shown so when
 * the incident is its alone). An uncatalogued one is related to nothing, so it must open its own.
 */
export function faultPassed(check: FaultCheck): boolean {
  if (check.outcome === 'missed' || check.outcome === 'duplicated') return false;
  if (!check.fault.catalogued && check.outcome !== 'own incident') return false;
  if (!check.alertsResolved) return false;
  return check.outcome !== 'own incident' || check.shownResolved;
}
