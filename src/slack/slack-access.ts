import type { WebClient } from '@slack/web-api';
import { TeamAccess } from '../access/team-access.js';
import type { Healing } from '../healing/healing.js';
import { AuthorisedIncidents } from '../incidents/authorised-incidents.js';
import { slackChannelDirectory } from './slack-channel-directory.js';
import { slackGroupDirectory } from './slack-group-directory.js';
import type { SlackServices } from './slack-services.js';

export interface SlackAccess {
  access: TeamAccess;
  incidents: AuthorisedIncidents;
  /** Remediation, its approvers checked against the same group directory. */
  healing?: Healing;
}

const built = new WeakMap<SlackServices, SlackAccess>();

/**
 * Who may act and see, for the listeners of one Slack surface: one group directory (and so one
 * cache of group members) shared by its commands, buttons and events, built on first use from
 * the Web API client the listener was given, unless the services bring their own directories.
 */
export function slackAccess(services: SlackServices, client: WebClient): SlackAccess {
  const existing = built.get(services);
  if (existing) return existing;
  const groups = services.groups ?? slackGroupDirectory(client);
  const access = new TeamAccess(services.catalogue, groups, services.channels ?? slackChannelDirectory(client));
  const incidents = new AuthorisedIncidents({ incidents: services.incidents, access, catalogue: services.catalogue, stores: services.stores, now: services.now });
  const created = { access, incidents, ...(services.healing ? { healing: services.healing(groups) } : {}) };
  built.set(services, created);
  return created;
}
