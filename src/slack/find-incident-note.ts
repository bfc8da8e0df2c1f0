import type { WebClient } from '@slack/web-api';
import type { IncidentMessage } from '../state/incident-store.js';

/** The metadata every incident thread note carries, so a retry can tell whether Slack already has it. */
export const INCIDENT_NOTE_EVENT_TYPE = 'aiops_incident_note';

export function incidentNoteMetadata(incidentId: string, noteKey: string) {
  return { event_type: INCIDENT_NOTE_EVENT_TYPE, event_payload: { incident_id: incidentId, note_key: noteKey } };
}

/** Pages of the thread read at most: an interrupted post is among its newest replies. */
const MAXIMUM_PAGES = 5;
/** Looks this much before the attempt too: clocks of the poster and Slack differ a little. */
const CLOCK_SLACK_MILLISECONDS = 60_000;

/**
 * Whether the incident's thread holds the note with this key, posted since `since` (wall-clock ms):
 * read from the thread's replies by the metadata they were posted with. Only needed after a sync
 * stopped between posting a note and recording it, so a few calls here are cheap.
 */
export async function threadHasNote(client: WebClient, root: IncidentMessage, incidentId: string, noteKey: string, since: number): Promise<boolean> {
  let cursor: string | undefined;
  for (let page = 0; page < MAXIMUM_PAGES; page++) {
    const replies = await client.conversations.replies({
      channel: root.channel,
      ts: root.ts,
      oldest: ((since - CLOCK_SLACK_MILLISECONDS) / 1000).toFixed(6),
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    const found = replies.messages?.some((message) => {
      const payload = message.metadata?.event_payload as { incident_id?: unknown; note_key?: unknown } | undefined;
      return message.metadata?.event_type === INCIDENT_NOTE_EVENT_TYPE && payload?.incident_id === incidentId && payload.note_key === noteKey;
    });
    if (found) return true;
    cursor = replies.response_metadata?.next_cursor || undefined;
    if (!cursor) return false;
  }
  return false;
}
