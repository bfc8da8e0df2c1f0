import type { ForecastDigest } from '../../forecast/forecast-digest.js';
import { capacityWarningMrkdwn } from './home-view.js';
import { capBlocks, context, fallbackText, header, section, SLACK_LIMITS, type BlockMessage } from './limits.js';

/**
 * `/aiops capacity`: the services whose hourly week-ahead forecast reaches a limit, soonest first,
 * as App Home lists them; or that none does, out of how many forecasts.
 */
export function capacityMessage(warnings: readonly ForecastDigest[], forecasts: number, now: number): BlockMessage {
  if (forecasts === 0) {
    const text = 'No forecasts yet: the workers forecast every service every hour (and in the first minutes after they start); ask again then.';
    return { text, blocks: [section(text)] };
  }
  if (warnings.length === 0) {
    const text = `No forecast reaches a limit within a week (${forecasts} forecasts of CPU, memory and traffic).`;
    return { text, blocks: [section(text)] };
  }
  const title = `Capacity within a week (${warnings.length})`;
  const lines = warnings.map((digest) => capacityWarningMrkdwn(digest, now));
  const blocks = [header(title), ...lines.map((line) => section(line)), context([`Of ${forecasts} forecasts of CPU, memory and traffic, computed every hour`])];
  return { text: fallbackText([title, ...lines]), blocks: capBlocks(blocks, SLACK_LIMITS.messageBlocks, 'services') };
}
