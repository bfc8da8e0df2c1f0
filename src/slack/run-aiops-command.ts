import type { WebClient } from '@slack/web-api';
import { seesService } from '../access/visibility.js';
import { answerChanges } from '../investigation/changes-answer.js';
import { lastHours } from '../investigation/changes-question.js';
import { estateStatus } from '../investigation/estate-status.js';
import { serviceTrends } from '../investigation/service-trends.js';
import { seesTarget, visibleStatus } from '../investigation/visible-status.js';
import type { AiopsCommand } from './aiops-command.js';
import { answerMessage } from './blocks/answer-message.js';
import { capacityMessage } from './blocks/capacity-message.js';
import { helpMessage, usageMessage } from './blocks/help-message.js';
import { historyMessage } from './blocks/history-message.js';
import { incidentsMessage } from './blocks/incidents-message.js';
import { logTemplatesMessage } from './blocks/log-templates-message.js';
import { noticeMessage } from './blocks/notice-message.js';
import { statusMessage } from './blocks/status-message.js';
import { trendsMessage } from './blocks/trends-message.js';
import { cachedCapacity } from './capacity-warnings-for.js';
import { postCapacityForecast } from './post-capacity-forecast.js';
import { slackAccess } from './slack-access.js';
import type { SlackServices } from './slack-services.js';

export interface CommandReply {
  text: string;
  blocks?: unknown[];
}

/** Who gave a command and where: `/aiops` in a channel, or the same words said to the bot in a thread or DM. */
export interface CommandInvocation {
  user: string;
  channel: string;
  /** The thread a mention was in: a forecast's chart goes there too. */
  threadTs?: string;
}

/**
 * Runs an `/aiops` command other than `ask` for the person who gave it, answering through `reply`
 * (ephemeral for the slash command, in the thread for a mention). What it shows is what that
 * person may see; what it changes, they must be allowed to change (see slackAccess).
 */
export async function runAiopsCommand(parsed: Exclude<AiopsCommand, { kind: 'ask' }>, invocation: CommandInvocation, client: WebClient, services: SlackServices, reply: (message: CommandReply) => Promise<void>): Promise<void> {
  const visibilityOf = (user: string) => slackAccess(services, client).access.visibility(user);
  switch (parsed.kind) {
    case 'help':
      return reply(helpMessage());
    case 'invalid':
      return reply(usageMessage(parsed.problem));
    case 'status': {
      const visibility = await visibilityOf(invocation.user);
      if (parsed.service !== undefined && !seesService(visibility, parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      return reply(statusMessage(visibleStatus(await estateStatus(services.status), visibility, services.catalogue), { service: parsed.service, now: services.now() }));
    }
    case 'incidents':
      return reply(incidentsMessage(visibleStatus(await estateStatus(services.status), await visibilityOf(invocation.user), services.catalogue).incidents, { now: services.now() }));
    case 'capacity': {
      const visibility = await visibilityOf(invocation.user);
      const seen = Object.keys(services.catalogue.services).filter((service) => seesService(visibility, service));
      const capacity = await cachedCapacity(services.stores.forecasts, seen, services.now());
      return reply(capacityMessage(capacity.warnings, capacity.forecasts, services.now()));
    }
    case 'audit': {
      const visibility = await visibilityOf(invocation.user);
      if (parsed.service !== undefined && !seesService(visibility, parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      const incidentIds = new Set(visibleStatus(await estateStatus(services.status), visibility, services.catalogue).incidents.map((incident) => incident.id));
      // Their own actions, and those on what they see: read further back so fifteen remain.
      const entries = (await services.stores.audit.recent(visibility.everything && parsed.service === undefined ? AUDIT_SHOWN : AUDIT_READ))
        .filter((entry) => entry.actor === invocation.user || seesTarget(visibility, entry.target, incidentIds))
        .filter((entry) => parsed.service === undefined || entry.target === parsed.service)
        .slice(0, AUDIT_SHOWN);
      const lines = entries.map((entry) => `${new Date(entry.at).toISOString().slice(0, 16).replace('T', ' ')} UTC  ${entry.actor}  ${entry.action} ${entry.target}: ${entry.detail}`);
      return reply(noticeMessage(lines.length > 0 ? `Recent actions${parsed.service ? ` on ${parsed.service}` : ''}:\n${lines.join('\n')}` : 'No actions recorded yet.'));
    }
    case 'history': {
      if (!services.history) return reply(noticeMessage('The history is kept in PostgreSQL, and this bot has none: set DATABASE_URL. Meanwhile `/aiops incidents` lists the last day.'));
      const visibility = await visibilityOf(invocation.user);
      if (parsed.service !== undefined && !seesService(visibility, parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      // Someone who sees part of the estate reads the history of that part only.
      const seen = parsed.service !== undefined ? [parsed.service] : visibility.everything ? undefined : Object.keys(services.catalogue.services).filter((service) => seesService(visibility, service));
      const summary = await services.history.summary(services.now() - parsed.days * 86_400_000, { until: services.now() + 60_000, ...(seen ? { services: seen } : {}) });
      return reply(historyMessage(summary, { ...(parsed.service ? { service: parsed.service } : {}), days: parsed.days }));
    }
    case 'healing':
      return reply(noticeMessage(await healingSwitch(parsed.switch, invocation.user, services, client)));
    case 'silence': {
      const silenced = await slackAccess(services, client).incidents.silence(parsed, invocation.user);
      if (silenced.outcome === 'refused') return reply(noticeMessage(silenced.reason));
      const scope = silenced.incident ? `${silenced.incident.id} (${silenced.scope})` : silenced.scope;
      const until = formatUtc(silenced.until);
      await announce(client, services, silenced.channels, `🔕 <@${invocation.user}> silenced ${plain(scope)} for ${parsed.durationText}, until ${until}: ${plain(parsed.reason)}. Alerts for it are held, and raised when the silence ends if still firing; \`/aiops unsilence ${parsed.target}\` ends it now.`);
      return reply(noticeMessage(`Silenced ${scope} for ${parsed.durationText} (until ${until}), announced in ${silenced.channels.join(', ') || 'no channel'}: new alerts for it are held, and raised when the silence ends if still firing.`));
    }
    case 'unsilence': {
      const ended = await slackAccess(services, client).incidents.unsilence(parsed.target, invocation.user);
      if (ended.outcome === 'refused') return reply(noticeMessage(ended.reason));
      const scope = ended.incident ? `${ended.incident.id} (${ended.scope})` : ended.scope;
      if (!ended.ended) return reply(noticeMessage(`${scope} is not silenced.`));
      const raised = ended.released.length > 0 ? ` ${ended.released.length} held alert(s) still firing were raised.` : '';
      await announce(client, services, ended.channels, `🔔 <@${invocation.user}> ended the silence on ${plain(scope)}.${raised}`);
      return reply(noticeMessage(`Ended the silence on ${scope}.${raised}`));
    }
    case 'trends': {
      const visibility = await visibilityOf(invocation.user);
      if (parsed.service !== undefined && !seesService(visibility, parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      // Only the services the asker sees are read at all: another team's trends are not theirs to see.
      const seen = parsed.service !== undefined ? [parsed.service] : Object.keys(services.catalogue.services).filter((service) => seesService(visibility, service));
      if (seen.length === 0) return reply(noticeMessage('No catalogued service is of your teams or of a channel you are in, so there are no trends to show; ask a responder.'));
      const { metrics, cluster, now } = services.investigation.answers;
      return reply(trendsMessage(await serviceTrends({ catalogue: services.catalogue, metrics, cluster, now }, { services: seen }), { service: parsed.service }));
    }
    case 'changes': {
      const visibility = await visibilityOf(invocation.user);
      if (parsed.service !== undefined && !seesService(visibility, parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      const seen = parsed.service !== undefined ? [parsed.service] : Object.keys(services.catalogue.services).filter((service) => seesService(visibility, service));
      if (seen.length === 0) return reply(noticeMessage('No catalogued service is of your teams or of a channel you are in, so there are no changes to show; ask a responder.'));
      const dependencies = services.investigation.answers;
      const answer = await answerChanges(`changes${parsed.service ? ` ${parsed.service}` : ''}`, { services: seen, ...lastHours(parsed.hours, dependencies.now()) }, dependencies);
      return reply(answerMessage(answer, { now: services.now(), links: services.queryLinks }));
    }
    case 'logs':
      if (!seesService(await visibilityOf(invocation.user), parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      return reply(logTemplatesMessage(await services.stores.minedLogs.templateSummary(parsed.service, { now: services.now(), minutes: parsed.minutes })));
    case 'forecast': {
      if (!seesService(await visibilityOf(invocation.user), parsed.service)) return reply(noticeMessage(notYours(parsed.service)));
      const { catalogue, metrics, cluster, now } = services.investigation.answers;
      const posted = await postCapacityForecast(client, services.pacer, { catalogue, metrics, cluster, now }, { channel: invocation.channel, ...(invocation.threadTs ? { threadTs: invocation.threadTs } : {}) }, parsed);
      return posted.outcome === 'posted' ? undefined : reply(noticeMessage(posted.text));
    }
  }
}

/**
 * `/aiops healing on|off|status`: the kill switch. Anyone may ask where it stands; only the
 * responders may turn it, and the change is audited.
 */
async function healingSwitch(wanted: 'on' | 'off' | 'status', user: string, services: SlackServices, client: WebClient): Promise<string> {
  const { access, healing } = slackAccess(services, client);
  if (!healing) return 'Healing does not run in this bot.';
  const off = await services.stores.remediations.switchedOff();
  const state = off ? `Healing is off since ${new Date(off.at).toISOString().slice(0, 16).replace('T', ' ')} UTC (turned off by ${off.by}): nothing is proposed or run.` : 'Healing is on: fixes are proposed, and run once approved as the catalogue\'s policy asks.';
  if (wanted === 'status') return state;
  // With no services named, only the responders may.
  if (!(await access.mayAct(user, 'resolve', [], 'healing')).allowed) return `Only the responders may turn healing ${wanted}. ${state}`;
  await healing.setSwitch(wanted === 'on', user);
  return wanted === 'on' ? 'Healing is on again: fixes are proposed, and run once approved.' : 'Healing is off: nothing is proposed or run until `/aiops healing on`. Requests already approved do not run either.';
}

/** Audit entries shown by `/aiops audit`, and how many are read to find them for someone who sees part of the estate. */
const AUDIT_SHOWN = 15;
const AUDIT_READ = 500;

/** Why a service someone may not see is not shown: without saying whether it is healthy. */
function notYours(service: string): string {
  return `${service} is not a service of your teams or of a channel you are in; ask its team or a responder.`;
}

/** A silence's start or end, said publicly in its services' channels; a channel that refuses is logged, the silence stands. */
async function announce(client: WebClient, services: SlackServices, channels: readonly string[], text: string): Promise<void> {
  for (const channel of channels) {
    await services.pacer.send(channel, () => client.chat.postMessage({ channel, text })).catch((error: Error) => services.logger.warn({ channel, error: error.message }, 'cannot announce the silence in the channel'));
  }
}

/** What someone typed, shown in a public message without pinging anyone or making links. */
function plain(text: string): string {
  return text.replace(/[<>&]/g, '');
}

/** 2026-12-04 14:00 UTC */
function formatUtc(milliseconds: number): string {
  return `${new Date(milliseconds).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
