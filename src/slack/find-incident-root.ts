import type { WebClient } from '@slack/web-api';
import type { IncidentMessage } from '../state/incident-store.js';

/** The metadata every incident root message carries, so it can be found again in its channel. */
export const INCIDENT_EVENT_TYPE = 'aiops_incident';

export function incidentMetadata(incidentId: string) {
  return { event_type: INCIDENT_EVENT_TYPE, event_payload: { incident_id: incidentId } };
}

/** Pages of history read at most: a crash is found within seconds, so the message is near the top. */
const MAXIMUM_PAGES = 5;
/** Looks this much before the attempt too: clocks of the poster and Slack differ a little. */
const CLOCK_SLACK_MILLISECONDS = 60_000;

/**
 * The root message an earlier attempt posted for the incident, if Slack has it: read from the
 * channel's history since the attempt, by the metadata it was posted with. Only needed after a
 * poster died between posting and recording, so a few calls here are cheap.
 */
export async function findIncidentRoot(client: WebClient, channel: string, incidentId: string, since: number): Promise<IncidentMessage | undefined> {
  const channelId = await channelIdOf(client, channel);
  if (!channelId) return undefined;
  let cursor: string | undefined;
  for (let page = 0; page < MAXIMUM_PAGES; page++) {
    const history = await client.conversations.history({
      channel: channelId,
      oldest: ((since - CLOCK_SLACK_MILLISECONDS) / 1000).toFixed(6),
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    const found = history.messages?.find(
      (message) => message.metadata?.event_type === INCIDENT_EVENT_TYPE && (message.metadata.event_payload as { incident_id?: unknown } | undefined)?.incident_id === incidentId,
    );
    if (found?.ts) return { channel: channelId, ts: found.ts };
    cursor = history.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The catalogue may name a channel (`#orders`); history wants its id. */
export async function channelIdOf(client: WebClient, channel: string): Promise<string | undefined> {
  if (!channel.startsWith('#')) return channel;
  const name = channel.slice(1);
  let cursor: string | undefined;
  do {
    const page = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
    const found = page.channels?.find((candidate) => candidate.name === name);
    if (found?.id) return found.id;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}
