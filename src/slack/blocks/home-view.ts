import { limitCrossing, type ForecastDigest } from '../../forecast/forecast-digest.js';
import type { EstateStatus } from '../../investigation/answer.js';
import { formatSignalValue } from '../../signals.js';
import { RESOLVED_TITLE, anomalyMrkdwn, byNewestIncident, byWorstAnomaly, incidentMrkdwn, resolvedIncidentsMrkdwn, worstAnomaly } from './incidents-message.js';
import {
  SLACK_LIMITS,
  capBlocks,
  context,
  counted,
  divider,
  escapeMrkdwn,
  fitLines,
  header,
  section,
  whenMrkdwn,
  type HomeView,
  type KnownBlock,
} from './limits.js';

export interface HomeViewOptions {
  /** Milliseconds since the epoch: what "5 min ago" counts from. */
  now: number;
  /** Forecasts reaching a limit within a week (see capacityWarnings), soonest first; absent, the part is left out. */
  capacityWarnings?: readonly ForecastDigest[];
}

/** Items listed per part of the Home tab; the rest are counted and left to `/aiops` commands. */
const SHOWN = { incidents: 20, services: 20, approvals: 20, actions: 10, capacity: 10 } as const;

type ServiceStatus = EstateStatus['services'][number];

/** The bot's App Home: what is wrong now, what waits for a person, and what the bot did. */
export function homeView(status: EstateStatus, options: HomeViewOptions): HomeView & { blocks: KnownBlock[] } {
  const { now } = options;
  const inAnomaly = status.services.filter((service) => !service.healthy).sort(byWorstAnomaly);
  const incidents = status.incidents.filter((incident) => incident.status === 'open').sort(byNewestIncident);
  const resolved = status.incidents.filter((incident) => incident.status === 'resolved');
  const approvals = [...status.pendingApprovals].sort((left, right) => left.requestedAt - right.requestedAt);
  const actions = [...status.recentActions].sort((left, right) => right.at - left.at);
  const summary = [
    counted(status.services.length, 'service'),
    `${inAnomaly.length} in anomaly`,
    counted(incidents.length, 'open incident'),
    `${approvals.length} awaiting approval`,
  ].join(' · ');

  const blocks: KnownBlock[] = [
    header('AIOps'),
    context([summary]),
    ...part(
      `Open incidents (${incidents.length})`,
      incidents.map((incident) => section(incidentMrkdwn(incident, now))),
      SHOWN.incidents,
      'incidents',
    ),
    // Resolved ones take one section, with fewer details: what is still wrong matters more.
    ...(resolved.length === 0 ? [] : [section(`*${RESOLVED_TITLE} (${resolved.length})*\n${resolvedIncidentsMrkdwn(resolved, now, SLACK_LIMITS.sectionText - 40)}`)]),
    ...part(
      `Services in anomaly (${inAnomaly.length})`,
      inAnomaly.map((service) => section(troubledText(service, now))),
      SHOWN.services,
      'services in anomaly',
    ),
    ...part(
      `Pending approvals (${approvals.length})`,
      approvals.map((approval) =>
        section(`⏸️ *${escapeMrkdwn(approval.action)}* on *${escapeMrkdwn(approval.service)}*\nRequested ${whenMrkdwn(approval.requestedAt, now)}`),
      ),
      SHOWN.approvals,
      'approvals',
    ),
    ...(options.capacityWarnings
      ? part(`Capacity within a week (${options.capacityWarnings.length})`, options.capacityWarnings.map((digest) => section(capacityWarningMrkdwn(digest, now))), SHOWN.capacity, 'capacity warnings')
      : []),
    ...part(`Recent actions`, actions.length === 0 ? [] : [section(actionsText(actions, now))], 1, 'actions'),
    divider(),
    context([`Generated ${whenMrkdwn(status.generatedAt, now)}`]),
  ];
  return { type: 'home', blocks: capBlocks(blocks, SLACK_LIMITS.homeViewBlocks) };
}

/** One part of the tab: a divider, its title, then its items or "None". */
function part(title: string, items: KnownBlock[], shown: number, itemName: string): KnownBlock[] {
  return [divider(), header(title), ...(items.length === 0 ? [section('None')] : capBlocks(items, shown + 1, itemName))];
}

function troubledText(service: ServiceStatus, now: number): string {
  const top = worstAnomaly(service.anomalies);
  const owners = `_${escapeMrkdwn(service.team)}_`;
  if (!top) return `🔴 *${escapeMrkdwn(service.service)}* — unhealthy · ${owners}`;
  const others = service.anomalies.length - 1;
  return `🔴 ${anomalyMrkdwn(top)}${others > 0 ? ` (+${others} more)` : ''}\n${top.severity} · ${owners} · ${whenMrkdwn(top.detectedAt, now)}`;
}

function actionsText(actions: EstateStatus['recentActions'], now: number): string {
  const shown = actions.slice(0, SHOWN.actions);
  const lines = shown.map(
    (action) => `*${escapeMrkdwn(action.action)}* on *${escapeMrkdwn(action.service)}*: ${escapeMrkdwn(action.outcome)} · ${whenMrkdwn(action.at, now)}`,
  );
  if (actions.length > shown.length) lines.push(`… and ${actions.length - shown.length} more (\`/aiops audit\` lists them)`);
  return fitLines(lines);
}

/** "📈 *cart* memory reaches its limit (1.5 GiB) Dec 07 14:00 (in 2 d) · 4 replicas needed, 3 now" */
export function capacityWarningMrkdwn(digest: ForecastDigest, now: number): string {
  const crossing = limitCrossing(digest)!;
  const how = digest.limitReachedAt !== undefined ? 'reaches its limit' : 'may reach its limit (95% bound)';
  const limit = digest.limit === undefined ? '' : ` (${escapeMrkdwn(formatSignalValue(digest.signal, digest.limit))})`;
  const replicas = digest.recommendedReplicas !== undefined && digest.currentReplicas !== undefined ? ` · ${counted(digest.recommendedReplicas, 'replica')} needed, ${digest.currentReplicas} now` : '';
  return `📈 *${escapeMrkdwn(digest.service)}* ${digest.signal.replace('_', ' ')} ${how}${limit} ${crossing <= now ? 'now' : whenMrkdwn(crossing, now)}${replicas}\n_\`/aiops forecast ${escapeMrkdwn(digest.service)} ${digest.signal}\` shows the chart_`;
}
