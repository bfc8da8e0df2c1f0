/**
 * Who is in a Slack user group (S…), as the platform says. Implemented over Slack's
 * usergroups.users.list (see src/slack/slack-group-directory.ts); a group that cannot be read
 * rejects with the reason (missing scope, unknown group, Slack down), and the caller refuses.
 */
export interface GroupDirectory {
  members(group: string): Promise<ReadonlySet<string>>;
}

/** A user group ID (S…), as opposed to a user ID (U… or W…). */
export function isUserGroup(principal: string): boolean {
  return principal.startsWith('S');
}
