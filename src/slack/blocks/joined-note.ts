import type { Incident, IncidentChange } from '../../alerts/correlate.js';
import { escapeMrkdwn, fallbackText, fitLines, section, SLACK_LIMITS, type BlockMessage } from './limits.js';

/**
 * One thread note for alerts that joined since the thread was last told: in a storm dozens join
 * within seconds, and a note each would bury the thread the incident message exists to keep tidy.
 */
export function joinedNote(changes: readonly IncidentChange[], incident: Incident): BlockMessage {
  const summaries = [...new Set(changes.map((change) => incident.alerts[change.fingerprint]?.summary ?? change.fingerprint))].map(escapeMrkdwn);
  if (summaries.length === 1) {
    const text = `➕ Joined: ${summaries[0]}`;
    return { text: fallbackText([text]), blocks: [section(text)] };
  }
  const title = `➕ ${summaries.length} alerts joined:`;
  return { text: fallbackText([title, ...summaries]), blocks: [section(`${title}\n${fitLines(summaries.map((summary) => `• ${summary}`), SLACK_LIMITS.sectionText - title.length - 1)}`)] };
}
