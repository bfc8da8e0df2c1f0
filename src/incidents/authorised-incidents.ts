import type { IncidentVerb, TeamAccess } from '../access/team-access.js';
import { catalogueService, type Catalogue } from '../catalogue.js';
import { formatDuration } from '../duration.js';
import type { StoredIncident } from '../state/incident-store.js';
import type { Stores } from '../state/stores.js';
import type { ActionOutcome, Incidents, SilenceOutcome, UnsilenceOutcome } from './incidents.js';

/** Refused: nothing changed; `reason` is one line for the person who asked. */
export interface Refused {
  outcome: 'refused';
  reason: string;
}

export type SilenceRequestOutcome = ({ outcome: 'done'; channels: string[] } & SilenceOutcome) | Refused;
export type UnsilenceRequestOutcome = ({ outcome: 'done'; channels: string[] } & UnsilenceOutcome) | Refused;

export interface AuthorisedIncidentsDependencies {
  incidents: Pick<Incidents, 'get' | 'acknowledge' | 'resolve' | 'silence' | 'unsilence'>;
  access: TeamAccess;
  catalogue: Catalogue;
  stores: Pick<Stores, 'audit'>;
  now: () => number;
}

/**
 * The incident actions people ask for, allowed only to the owning team of the incident's services
 * and to the responders (see TeamAccess). A refusal changes nothing, is audited, and says why in
 * one line. A silence needs a reason and is capped by who asks (access.maximumSilence); what it
 * covers is named with the channels where it is to be announced.
 */
export class AuthorisedIncidents {
  constructor(private readonly dependencies: AuthorisedIncidentsDependencies) {}

  async acknowledge(id: string, user: string): Promise<ActionOutcome | Refused> {
    const incident = await this.dependencies.incidents.get(id);
    if (!incident) return { outcome: 'unknown' };
    const refused = await this.refusal(user, 'acknowledge', incident.id, incident.services, subjectOf(incident.id, incident, incident.services));
    return refused ?? this.dependencies.incidents.acknowledge(incident.id, user);
  }

  async resolve(id: string, user: string): Promise<ActionOutcome | Refused> {
    const incident = await this.dependencies.incidents.get(id);
    if (!incident) return { outcome: 'unknown' };
    const refused = await this.refusal(user, 'resolve', incident.id, incident.services, subjectOf(incident.id, incident, incident.services));
    return refused ?? this.dependencies.incidents.resolve(incident.id, user);
  }

  /** Silences a service, incident, fingerprint or anomaly id for a while, for a reason. */
  async silence(request: { target: string; durationMilliseconds: number; reason: string }, user: string): Promise<SilenceRequestOutcome> {
    const { target, durationMilliseconds } = request;
    const reason = request.reason.trim();
    if (reason.length === 0) return { outcome: 'refused', reason: `A silence needs a reason, e.g. \`/aiops silence ${target} 2h deploy of v2.3 in progress\`.` };
    const incident = await this.dependencies.incidents.get(target);
    const services = servicesOf(this.dependencies.catalogue, target, incident);
    const decision = await this.dependencies.access.mayAct(user, 'silence', services, subjectOf(target, incident, services));
    if (!decision.allowed) return this.refuse(user, 'silence', target, decision.reason);
    const { member, responder } = this.dependencies.catalogue.access.maximumSilence;
    const maximum = decision.as === 'responder' ? responder : member;
    if (durationMilliseconds > maximum) {
      const beyond = decision.as === 'member' && responder > member ? `; the responders may silence up to ${formatDuration(responder)}` : '';
      return this.refuse(user, 'silence', target, `You may silence for at most ${formatDuration(maximum)}${beyond}.`);
    }
    const silenced = await this.dependencies.incidents.silence(target, durationMilliseconds, user, reason);
    return { outcome: 'done', channels: this.channelsOf(services), ...silenced };
  }

  /** Ends the silence on a service, incident, fingerprint or anomaly id; held alerts still firing are raised. */
  async unsilence(target: string, user: string): Promise<UnsilenceRequestOutcome> {
    const incident = await this.dependencies.incidents.get(target);
    const services = servicesOf(this.dependencies.catalogue, target, incident);
    const refused = await this.refusal(user, 'unsilence', target, services, subjectOf(target, incident, services));
    if (refused) return refused;
    const ended = await this.dependencies.incidents.unsilence(target, user);
    return { outcome: 'done', channels: this.channelsOf(services), ...ended };
  }

  private async refusal(user: string, verb: IncidentVerb, target: string, services: readonly string[], subject: string): Promise<Refused | undefined> {
    const decision = await this.dependencies.access.mayAct(user, verb, services, subject);
    return decision.allowed ? undefined : this.refuse(user, verb, target, decision.reason);
  }

  private async refuse(user: string, verb: IncidentVerb, target: string, reason: string): Promise<Refused> {
    await this.dependencies.stores.audit.append({ at: this.dependencies.now(), actor: user, action: `${verb}-refused`, target, detail: reason });
    return { outcome: 'refused', reason };
  }

  /** Where a silence is announced: its services' channels, or the catch-all when it names none. */
  private channelsOf(services: readonly string[]): string[] {
    const channels = services.flatMap((name) => catalogueService(this.dependencies.catalogue, name)?.channel ?? []);
    const catchAll = this.dependencies.catalogue.alerting.defaultChannel;
    return [...new Set(channels.length > 0 ? channels : catchAll ? [catchAll] : [])];
  }
}

/**
 * The catalogued services a target stands for: an incident's, a service itself, or the service
 * an anomaly id or detector fingerprint starts with (`payment:anomaly:…`). Anything else (a bare
 * Alertmanager fingerprint) names none: only responders may act on it.
 */
function servicesOf(catalogue: Catalogue, target: string, incident: StoredIncident | undefined): string[] {
  if (incident) return incident.services;
  if (catalogueService(catalogue, target)) return [target];
  const prefix = /^([a-z0-9-]+):/.exec(target)?.[1];
  return prefix !== undefined && catalogueService(catalogue, prefix) ? [prefix] : [];
}

function subjectOf(target: string, incident: StoredIncident | undefined, services: readonly string[]): string {
  if (incident) return services.length > 0 ? `${incident.id} (${services.join(', ')})` : incident.id;
  return target;
}
