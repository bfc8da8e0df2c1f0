import type { WebClient } from '@slack/web-api';
import type { GroupDirectory } from '../access/group-directory.js';

/** How long a user group's members are trusted: long enough for a burst of clicks, short enough that a removal counts within a minute. */
export const GROUP_MEMBERS_TTL_MILLISECONDS = 60_000;

/**
 * User group members from Slack's usergroups.users.list (scope usergroups:read), cached briefly.
 * A failure is not cached, and rejects with Slack's error (`missing_scope`, `no_such_subteam`), so
 * the access decision refuses and says why.
 */
export function slackGroupDirectory(client: Pick<WebClient, 'usergroups'>, now: () => number = Date.now): GroupDirectory {
  const cached = new Map<string, { members: ReadonlySet<string>; until: number }>();
  return {
    async members(group) {
      const hit = cached.get(group);
      if (hit && hit.until > now()) return hit.members;
      let users: string[] | undefined;
      try {
        users = (await client.usergroups.users.list({ usergroup: group })).users;
      } catch (error) {
        throw new Error(slackErrorOf(error), { cause: error });
      }
      const members = new Set(users ?? []);
      cached.set(group, { members, until: now() + GROUP_MEMBERS_TTL_MILLISECONDS });
      return members;
    },
  };
}

/** Slack's error code (`missing_scope`) rather than the client's sentence around it. */
function slackErrorOf(error: unknown): string {
  const data = (error as { data?: { error?: string; needed?: string } }).data;
  if (data?.error === 'missing_scope') return `missing_scope: add ${data.needed ?? 'usergroups:read'} to the Slack app`;
  return data?.error ?? (error as Error).message;
}
