import { seesIncident, seesService, type Visibility } from '../access/visibility.js';
import type { Catalogue } from '../catalogue.js';
import type { EstateStatus } from './answer.js';

/**
 * The estate as one person may see it (App Home, `/aiops status`, `/aiops incidents`): the
 * services they see, the incidents of those services or of channels they are in, and the actions
 * taken on either. Pure.
 */
export function visibleStatus(status: EstateStatus, visibility: Visibility, catalogue: Catalogue): EstateStatus {
  if (visibility.everything) return status;
  const incidents = status.incidents.filter((incident) => seesIncident(visibility, incident, catalogue));
  const incidentIds = new Set(incidents.map((incident) => incident.id));
  return {
    ...status,
    services: status.services.filter((service) => seesService(visibility, service.service)),
    incidents,
    pendingApprovals: status.pendingApprovals.filter((approval) => seesService(visibility, approval.service)),
    recentActions: status.recentActions.filter((action) => seesTarget(visibility, action.service, incidentIds)),
  };
}

/**
 * Whether an audited target is one the person sees: a service of theirs, an incident they see,
 * or an anomaly id or detector fingerprint of one of their services (`payment:anomaly:…`).
 */
export function seesTarget(visibility: Visibility, target: string, visibleIncidentIds: ReadonlySet<string>): boolean {
  if (visibility.everything || visibleIncidentIds.has(target) || seesService(visibility, target)) return true;
  const service = /^(?:detector\/[a-z]+\/)?([a-z0-9-]+)[:/]/.exec(target)?.[1];
  return service !== undefined && seesService(visibility, service);
}
