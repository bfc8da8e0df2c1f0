/**
 * Who is in a channel, as the platform says. Implemented over Slack's conversations.members (see
 * src/slack/slack-channel-directory.ts); a channel that cannot be read rejects, and the caller
 * counts the user as not in it (nothing is shown on a guess).
 */
export interface ChannelDirectory {
  /** Whether `user` is a member of `channel`, named as the catalogue names it (`#shop-payments`) or by id. */
  isMember(user: string, channel: string): Promise<boolean>;
}
