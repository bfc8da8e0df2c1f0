import type { EstateStatus } from '../../investigation/answer.js';
import { anomalyMrkdwn, anomalyPlain, bySeverityThenNewest, byWorstAnomaly, severityEmoji, worstAnomaly } from './incidents-message.js';
import {
  SLACK_LIMITS,
  button,
  capBlocks,
  context,
  counted,
  escapeMrkdwn,
  fallbackText,
  fieldsSection,
  fitItems,
  fitLines,
  header,
  relativeTime,
  section,
  whenMrkdwn,
  type BlockMessage,
  type KnownBlock,
} from './limits.js';

/** The "Details" button beside a service in anomaly; its value is the service name. */
export const SERVICE_STATUS_ACTION_ID = 'aiops_status_service';

export interface StatusMessageOptions {
  /** One service in detail; absent: every catalogued service in one overview. */
  service?: string;
  /** Milliseconds since the epoch: what "5 min ago" counts from. */
  now: number;
}

type ServiceStatus = EstateStatus['services'][number];

/**
 * What `/aiops status [service]` shows. Plain sections and one button kind, so it works as an
 * ephemeral reply (its button answers through the response URL).
 */
export function statusMessage(status: EstateStatus, options: StatusMessageOptions): BlockMessage {
  if (options.service === undefined) return estateOverview(status, options.now);
  const service = status.services.find((candidate) => candidate.service === options.service);
  return service ? serviceDetail(status, service, options.now) : unknownService(status, options.service);
}

function estateOverview(status: EstateStatus, now: number): BlockMessage {
  const inAnomaly = status.services.filter((service) => !service.healthy).sort(byWorstAnomaly);
  const healthy = status.services.filter((service) => service.healthy).sort((left, right) => left.service.localeCompare(right.service));
  const open = status.incidents.filter((incident) => incident.status === 'open');
  const counts = `${counted(status.services.length, 'service')} · ${inAnomaly.length} in anomaly · ${counted(open.length, 'open incident')}`;
  const headBlocks: KnownBlock[] = [header('Estate status'), context([`${counts} · as of ${whenMrkdwn(status.generatedAt, now)}`])];
  const troubledBlocks = inAnomaly.map((service) =>
    section(
      `🔴 ${troubledLine(service)}`,
      button({
        actionId: SERVICE_STATUS_ACTION_ID,
        text: 'Details',
        value: service.service,
        accessibilityLabel: `Status of ${service.service}`,
      }),
    ),
  );
  const healthyNames = healthy.map((service) => escapeMrkdwn(service.service));
  const healthyText =
    healthy.length === 0
      ? '✅ *Healthy:* none'
      : `✅ *Healthy (${healthy.length}):* ${fitItems(healthyNames, SLACK_LIMITS.sectionText - 40, ', ')}`;
  const budget = SLACK_LIMITS.messageBlocks - headBlocks.length - 1;
  const blocks = [...headBlocks, ...capBlocks(troubledBlocks, budget, 'services in anomaly'), section(healthyText)];
  const lines = [
    `Estate status: ${counts}`,
    ...inAnomaly.map((service) => {
      const top = worstAnomaly(service.anomalies);
      return `🔴 ${top ? anomalyPlain(top) : `${escapeMrkdwn(service.service)} — unhealthy`}`;
    }),
    healthy.length === 0 ? '✅ Healthy: none' : `✅ Healthy (${healthy.length}): ${healthyNames.join(', ')}`,
  ];
  return { text: fallbackText(lines), blocks };
}

function serviceDetail(status: EstateStatus, service: ServiceStatus, now: number): BlockMessage {
  const name = escapeMrkdwn(service.service);
  const anomalies = [...service.anomalies].sort(bySeverityThenNewest);
  const incidents = status.incidents.filter((incident) => incident.status === 'open' && incident.services.includes(service.service));
  const approvals = status.pendingApprovals.filter((approval) => approval.service === service.service);
  const actions = status.recentActions.filter((action) => action.service === service.service);
  const health = service.healthy ? '✅ Healthy' : '🔴 In anomaly';
  const blocks: KnownBlock[] = [
    header(service.service),
    fieldsSection([
      `*Health*\n${health}`,
      `*Team*\n${escapeMrkdwn(service.team)}`,
      `*Channel*\n${channelMrkdwn(service.channel)}`,
      `*Open incidents*\n${incidents.length}`,
    ]),
    section(
      `*Anomalies*\n${
        anomalies.length === 0
          ? 'None'
          : fitLines(anomalies.map((anomaly) => `${severityEmoji(anomaly.severity)} ${anomalyMrkdwn(anomaly)} · ${whenMrkdwn(anomaly.detectedAt, now)}`), SLACK_LIMITS.sectionText - 20)
      }`,
    ),
  ];
  if (approvals.length > 0) {
    const lines = approvals.map((approval) => `⏸️ ${escapeMrkdwn(approval.action)} · requested ${whenMrkdwn(approval.requestedAt, now)}`);
    blocks.push(section(`*Awaiting approval*\n${fitLines(lines, SLACK_LIMITS.sectionText - 30)}`));
  }
  if (actions.length > 0) {
    const lines = [...actions]
      .sort((left, right) => right.at - left.at)
      .map((action) => `${escapeMrkdwn(action.action)}: ${escapeMrkdwn(action.outcome)} · ${whenMrkdwn(action.at, now)}`);
    blocks.push(section(`*Recent actions*\n${fitLines(lines, SLACK_LIMITS.sectionText - 30)}`));
  }
  blocks.push(context([`As of ${whenMrkdwn(status.generatedAt, now)}`]));
  const lines = [
    `${name}: ${health} · team ${escapeMrkdwn(service.team)} · ${counted(incidents.length, 'open incident')}`,
    ...anomalies.map((anomaly) => `${severityEmoji(anomaly.severity)} ${anomalyPlain(anomaly)} — ${relativeTime(anomaly.detectedAt, now)}`),
  ];
  return { text: fallbackText(lines), blocks };
}

function unknownService(status: EstateStatus, requested: string): BlockMessage {
  const known = status.services.map((service) => `\`${escapeMrkdwn(service.service)}\``).sort();
  const problem = `No service named \`${escapeMrkdwn(requested)}\` in the catalogue.`;
  const hint = known.length > 0 ? `Known services: ${fitItems(known, SLACK_LIMITS.sectionText - problem.length - 20, ', ')}` : 'The catalogue lists no services.';
  const text = `${problem}\n${hint}`;
  return { text: fallbackText([problem, hint]), blocks: [section(text)] };
}

/** A service in anomaly: its name, owners and its most severe anomaly, with a count of the rest. */
function troubledLine(service: ServiceStatus): string {
  const top = worstAnomaly(service.anomalies);
  const owners = `_${escapeMrkdwn(service.team)}_ · ${channelMrkdwn(service.channel)}`;
  if (!top) return `*${escapeMrkdwn(service.service)}* — unhealthy · ${owners}`;
  const others = service.anomalies.length - 1;
  return `${anomalyMrkdwn(top)}${others > 0 ? ` (+${others} more)` : ''}\n${top.severity} · ${owners}`;
}

/** A channel ID becomes a clickable channel link; a name like "#orders" is shown as written. */
function channelMrkdwn(channel: string): string {
  return /^[CG][A-Z0-9]{8,}$/.test(channel) ? `<#${channel}>` : escapeMrkdwn(channel);
}
