import { z } from 'zod';
import type { Incident } from '../../alerts/correlate.js';
import type { IncidentStore } from '../../state/incident-store.js';
import { boundedOutput, type AgentTool, type ToolResult } from '../tool.js';
import { toolFailure } from './tool-failure.js';
import { formatUtcTime } from './utc-time.js';
import { redactedExcerpt } from '../../redact-secrets.js';

export interface ListIncidentsDependencies {
  /** Absent where the bot runs without incident correlation (e.g. `aiops ask`). */
  incidents?: Pick<IncidentStore, 'all' | 'open'>;
  /** The sources' clock, ms since the epoch. */
  now: () => number;
}

const schema = z.object({
  includeResolved: z.boolean().default(false).describe('Also list recently resolved incidents (default false)'),
});

const INCIDENTS_SHOWN = 10;
const ALERTS_SHOWN = 3;
const MAXIMUM_SUMMARY_CHARACTERS = 160;

/** Incidents as the channel sees them: id, status, severity, services, and their alerts in one line each. */
export function listIncidentsTool(dependencies: ListIncidentsDependencies): AgentTool<typeof schema> {
  return {
    name: 'list_incidents',
    description: 'Open incidents (and, if asked, recently resolved ones), newest first: id, severity, services, likely origin and their alerts.',
    schema,
    async run(input): Promise<ToolResult> {
      const store = dependencies.incidents;
      if (!store) return { status: 'no-data', output: 'No incident store is configured here, so there are no incidents to list.' };
      let incidents: Incident[];
      try {
        incidents = input.includeResolved ? await store.all() : await store.open();
      } catch (error) {
        return toolFailure('Redis (incident store)', error);
      }
      const kind = input.includeResolved ? 'open or recently resolved incidents' : 'open incidents';
      if (incidents.length === 0) return { status: 'no-data', output: `No ${kind}.` };
      const now = dependencies.now();
      const lines = [`${incidents.length} ${kind}, newest first (times UTC):`, ...incidents.slice(0, INCIDENTS_SHOWN).map((incident) => formatIncident(incident, now))];
      if (incidents.length > INCIDENTS_SHOWN) lines.push(`… and ${incidents.length - INCIDENTS_SHOWN} older incidents`);
      const services = [...new Set(incidents.slice(0, INCIDENTS_SHOWN).flatMap((incident) => incident.services))];
      return { status: 'ok', output: boundedOutput(lines.join('\n')), services };
    },
  };
}

function formatIncident(incident: Incident, now: number): string {
  const status = incident.status === 'resolved' ? `resolved${incident.resolvedAt === undefined ? '' : ` at ${formatUtcTime(incident.resolvedAt, now)}`}` : 'open';
  const flapping = incident.flapping ? ', flapping' : '';
  const services = incident.services.length > 0 ? incident.services.join(', ') : 'no catalogued service';
  const origin = incident.origin ? ` (likely origin ${incident.origin})` : '';
  const alerts = Object.values(incident.alerts).sort((left, right) => right.lastSeen - left.lastSeen);
  const alertLines = alerts.slice(0, ALERTS_SHOWN).map((alert) => {
    const summary = redactedExcerpt(alert.summary, MAXIMUM_SUMMARY_CHARACTERS);
    return `  · ${alert.status} ${alert.severity} ${alert.name}: ${summary}`;
  });
  if (alerts.length > ALERTS_SHOWN) alertLines.push(`  · … and ${alerts.length - ALERTS_SHOWN} more alerts`);
  return [`- ${incident.id} ${status}${flapping}, ${incident.severity}, since ${formatUtcTime(incident.firstSeen, now)}, services ${services}${origin}, ${alerts.length} alerts:`, ...alertLines].join('\n');
}
