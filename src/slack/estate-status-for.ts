import type { EstateStatus } from '../conversations/answer.js';
import { estateStatus } from '../conversations/estate-status.js';
import type { SlackServices } from './slack-services.js';

/**
 * The estate status as the Slack surface shows it: the incidents this process manages fill in
 * whatever the status dependencies leave out, so `/aiops incidents` and App Home list correlated
 * incidents wherever the incident store is available, and anomalies only where it is not.
 */
export function estateStatusFor(services: SlackServices): Promise<EstateStatus> {
  return estateStatus({
    ...services.status,
    incidents: services.status.incidents ?? services.incidents,
    acknowledgements: services.status.acknowledgements ?? services.acknowledgements,
  });
}
