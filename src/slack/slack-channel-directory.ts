import type { WebClient } from '@slack/web-api';
import type { ChannelDirectory } from '../access/channel-directory.js';
import { channelIdOf } from './find-incident-root.js';
import { GROUP_MEMBERS_TTL_MILLISECONDS } from './slack-group-directory.js';

/** Members read per conversations.members page (Slack's maximum is 1000). */
const PAGE_SIZE = 1000;

/**
 * Channel members from Slack's conversations.members (channels:read, groups:read), a catalogue
 * name (`#shop-payments`) turned into its id first; cached as briefly as group members. A channel
 * the bot cannot read (not invited to a private one, unknown name) rejects, and is not cached.
 */
export function slackChannelDirectory(client: Pick<WebClient, 'conversations'>, now: () => number = Date.now): ChannelDirectory {
  const cached = new Map<string, { members: ReadonlySet<string>; until: number }>();
  const membersOf = async (channel: string): Promise<ReadonlySet<string>> => {
    const hit = cached.get(channel);
    if (hit && hit.until > now()) return hit.members;
    const id = await channelIdOf(client as WebClient, channel);
    if (id === undefined) throw new Error(`channel ${channel} not found`);
    const members = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await client.conversations.members({ channel: id, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      for (const member of page.members ?? []) members.add(member);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    cached.set(channel, { members, until: now() + GROUP_MEMBERS_TTL_MILLISECONDS });
    return members;
  };
  return { isMember: async (user, channel) => (await membersOf(channel)).has(user) };
}
