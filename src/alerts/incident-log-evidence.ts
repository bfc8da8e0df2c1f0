import type { LogFinding } from '../logs/log-anomalies.js';
import type { Incident } from './correlate.js';

/** Context lines the logs contribute at most: the root message is a summary, not a log viewer. */
const MAXIMUM_LINES = 3;
/** How far before the incident's first alert a log finding still belongs to it. */
const LOOK_BEHIND_MILLISECONDS = 30 * 60_000;

/**
 * The log findings of an incident's services, as context lines for its root message: new
 * templates first (the usual trace of a bad deploy), then error templates seen with a metric
 * anomaly, then bursts; most recent first within each kind.
 */
export async function incidentLogEvidence(incident: Incident, findingsSince: (service: string, since: number) => Promise<LogFinding[]>): Promise<string[]> {
  const since = incident.firstSeen - LOOK_BEHIND_MILLISECONDS;
  const findings = (await Promise.all(incident.services.map((service) => findingsSince(service, since)))).flat();
  const order: Record<LogFinding['kind'], number> = { 'new-template': 0, 'error-with-anomaly': 1, burst: 2 };
  return findings
    .sort((left, right) => order[left.kind] - order[right.kind] || right.bucketStart - left.bucketStart)
    .slice(0, MAXIMUM_LINES)
    .map((finding) => `Logs · ${finding.summary}`);
}
