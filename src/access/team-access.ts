import type { Catalogue } from '../catalogue.js';
import type { ChannelDirectory } from './channel-directory.js';
import { isUserGroup, type GroupDirectory } from './group-directory.js';
import { EVERYTHING, type Visibility } from './visibility.js';

/** What people do to incidents that needs the owning team or a responder. */
export type IncidentVerb = 'silence' | 'unsilence' | 'resolve' | 'acknowledge';

/** Whether someone may act, and as whom; refused with one line for them when not. */
export type AccessDecision = { allowed: true; as: 'responder' | 'member' } | { allowed: false; reason: string };

/**
 * Who may act on and see what, from the catalogue's teams and responders. Users listed by ID are
 * known at once; user groups are read through the directory. It fails closed: a group that cannot
 * be read is never taken as a yes, and when it is what decides, the refusal says so.
 */
export class TeamAccess {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly directory: GroupDirectory,
    /** Who is in the catalogue's channels; absent, only teams decide what someone sees. */
    private readonly channels?: ChannelDirectory,
  ) {}

  /**
   * May `user` do `verb` to something of these catalogued services? Responders may always; the
   * team owning any one of the services may too. No services (alerts naming no catalogued
   * service): responders only. `subject` names the target in the refusal, e.g. "payment".
   */
  async mayAct(user: string, verb: IncidentVerb, services: readonly string[], subject: string): Promise<AccessDecision> {
    const teams = [...new Set(services.flatMap((service) => (Object.hasOwn(this.catalogue.services, service) ? [this.catalogue.services[service]!.team] : [])))];
    const failures: string[] = [];
    if (await this.isIn(user, this.catalogue.access.responders, failures)) return { allowed: true, as: 'responder' };
    for (const team of teams) {
      if (Object.hasOwn(this.catalogue.teams, team) && (await this.isIn(user, this.catalogue.teams[team]!.slack, failures))) return { allowed: true, as: 'member' };
    }
    if (failures.length > 0) return { allowed: false, reason: `I cannot check who may ${verb} ${subject}: ${failures[0]}; refused until I can.` };
    const who = teams.length > 0 ? `${teams.join(' or ')} or the responders` : 'the responders';
    return { allowed: false, reason: `Only ${who} may ${verb} ${subject}.` };
  }

  /**
   * What `user` may see: everything for responders or with `access.visibility: everyone`; else
   * their teams' services, and the catalogue channels they are in with those channels' services.
   * A group or channel that cannot be read counts as not theirs (fail closed).
   */
  async visibility(user: string): Promise<Visibility> {
    if (this.catalogue.access.visibility === 'everyone') return EVERYTHING;
    const ignored: string[] = [];
    if (await this.isIn(user, this.catalogue.access.responders, ignored)) return EVERYTHING;
    const services = new Set<string>();
    for (const team of Object.values(this.catalogue.teams)) {
      if (!(await this.isIn(user, team.slack, ignored))) continue;
      for (const service of Object.values(this.catalogue.services)) if (service.team === team.name) services.add(service.name);
    }
    const channels = new Set<string>();
    const catalogueChannels = [...new Set([...Object.values(this.catalogue.services).map((service) => service.channel), ...(this.catalogue.alerting.defaultChannel ? [this.catalogue.alerting.defaultChannel] : [])])];
    for (const channel of catalogueChannels) {
      if (await this.channels?.isMember(user, channel).catch(() => false)) channels.add(channel);
    }
    for (const service of Object.values(this.catalogue.services)) if (channels.has(service.channel)) services.add(service.name);
    return { everything: false, services, channels };
  }

  /** Whether the user is one of the principals, directly or through a group; groups that cannot be read add why to `failures`. */
  private async isIn(user: string, principals: readonly string[], failures: string[]): Promise<boolean> {
    if (principals.includes(user)) return true;
    for (const group of principals.filter(isUserGroup)) {
      try {
        if ((await this.directory.members(group)).has(user)) return true;
      } catch (error) {
        failures.push(`user group ${group} cannot be read (${(error as Error).message})`);
      }
    }
    return false;
  }
}
