import { defangLinks } from '../../defang-links.js';
import type { Answer, CandidateCause, ServiceInAnomaly } from '../../investigation/answer.js';
import type { RecentChange } from '../../sources/recent-changes.js';
import { proposalBlocks, proposalText } from './proposal-blocks.js';
import { queryLinks, type QueryLinks } from './query-links.js';
import { slackLink } from './slack-link.js';
import { anomalyMrkdwn, anomalyPlain, bySeverityThenNewest, severityEmoji, severityRank, worstAnomaly } from './incidents-message.js';
import {
  SLACK_LIMITS,
  capBlocks,
  context,
  counted,
  escapeMrkdwn,
  fallbackText,
  fitItems,
  fitLines,
  relativeTime,
  section,
  whenMrkdwn,
  type BlockMessage,
  type KnownBlock,
} from './limits.js';

export interface AnswerMessageOptions {
  /** Milliseconds since the epoch: what "5 min ago" counts from. */
  now: number;
  /** Where the queries behind the evidence can be opened, when configured. */
  links?: QueryLinks;
  /** The window the investigation looked at, named when nothing is wrong. Default 30 minutes. */
  lookbackMinutes?: number;
}

/** Honest labels: a reader should know whether a model or fixed rules produced the answer. */
export const METHOD_LABELS: Record<Answer['method'], string> = {
  deterministic: 'Answered by the root-cause engine from metrics, the call graph, changes, cluster events and logs — no LLM configured',
  llm: 'Investigated by the LLM agent with read-only tools',
  catalogue: 'Answered from the catalogue (AIOPS_CONFIG): no metrics, logs or LLM needed',
  changes: "Read from the cluster's rollouts and scaling and the change events sent to the bot: nothing investigated, no LLM needed",
};

function methodLabel(answer: Answer): string {
  if (!wasInvestigated(answer)) return 'Not investigated: the question names no catalogued service';
  if (answer.method === 'deterministic' && answer.fallbackReason) return `The LLM did not answer (${answer.fallbackReason}): answered by the root-cause engine, no LLM in this answer`;
  return METHOD_LABELS[answer.method];
}

/** How much of each list a threaded answer shows; the rest is counted, not dropped silently. */
const SHOWN = { steps: 8, services: 10, anomaliesPerService: 3, changes: 8, fallbackEvidence: 10, fallbackChanges: 5 } as const;
/** How many changes an answer to "what changed?" lists: they are the whole answer there. */
const CHANGES_ASKED_FOR = 25;

const CHANGE_EMOJI: Record<RecentChange['kind'], string> = { deploy: '🚀', rollback: '↩️', restart: '🔁', scale: '📏', config: '⚙️', 'feature-flag': '🚩', event: '📌' };

/** An answer message, posted without previews: its text quotes what the estate and the model wrote. */
export type AnswerMessage = BlockMessage & { unfurl_links: false; unfurl_media: false };

/**
 * The bot's answer in a thread: progress while investigating, then the conclusion and its evidence.
 * Text that comes from the tools' data or the model (conclusion, evidence, advice, log lines, change
 * descriptions) is shown with its links defanged; only the query links the bot builds itself are live.
 */
export function answerMessage(answer: Answer, options: AnswerMessageOptions): AnswerMessage {
  const message = answer.stage === 'investigating' ? progressMessage(answer) : conclusionMessage(answer, { now: options.now, lookbackMinutes: options.lookbackMinutes ?? 30, links: options.links });
  return { ...message, unfurl_links: false, unfurl_media: false };
}

/** Text from the estate or the model, for mrkdwn: escaped, and its links made inert. */
function dataText(text: string): string {
  return escapeMrkdwn(defangLinks(text));
}

function progressMessage(answer: Answer): BlockMessage {
  const steps = answer.steps;
  const shown = steps.slice(-SHOWN.steps);
  const earlier = steps.length - shown.length;
  const lines = [
    ...(earlier > 0 ? [`✓ ${counted(earlier, 'earlier step')}`] : []),
    ...shown.map((step, index) => `${index === shown.length - 1 ? '⏳' : '✓'} ${dataText(step)}`),
  ];
  const current = steps.at(-1);
  const text = current ? `Looking into it… ${dataText(current)}` : 'Looking into it…';
  const body = lines.length > 0 ? `⏳ *Looking into it…*\n${fitLines(lines, SLACK_LIMITS.sectionText - 30)}` : '⏳ *Looking into it…*';
  return { text: fallbackText([text]), blocks: [section(body)] };
}

function conclusionMessage(answer: Answer, options: Required<Omit<AnswerMessageOptions, 'links'>> & Pick<AnswerMessageOptions, 'links'>): BlockMessage {
  const services = [...answer.servicesInAnomaly]
    .filter((entry) => entry.anomalies.length > 0)
    .sort((left, right) => mostSevereFirst(left, right, answer.suspect));
  const changes = [...answer.recentChanges].sort((left, right) => right.at - left.at);
  const headline = headlineOf(answer, services, options.lookbackMinutes);
  const suspect = answer.suspect ? `Suspect: *${escapeMrkdwn(answer.suspect)}*${ownerText(answer.suspectOwner, 'mrkdwn')}` : undefined;
  const diagnosis = answer.diagnosis ? `Likely fault: ${dataText(answer.diagnosis.summary)}` : undefined;
  const investigated = wasInvestigated(answer);
  const unknown = investigated && answer.unknownServices && answer.unknownServices.length > 0 ? unknownServicesLine(answer.unknownServices) : undefined;

  // With trouble elsewhere, said first: the question assumed it here, and the headline is about something else.
  const calm = services.length === 0;
  const asUsual = (answer.asUsual ?? []).map((line) => (calm ? dataText(line) : `✅ ${dataText(line)}`));
  const head = calm ? [headline.mrkdwn, ...asUsual] : [...asUsual, headline.mrkdwn];
  const blocks: KnownBlock[] = [section([...head, suspect, diagnosis].filter((line) => line !== undefined).join('\n'))];
  if (answer.facts && answer.facts.length > 0) blocks.push(section(fitLines(answer.facts.map((line) => `• ${dataText(line)}`), SLACK_LIMITS.sectionText - 20)));
  const runbooks = (answer.runbooks ?? []).flatMap(({ service, url }) => slackLink(url, service) ?? []);
  if (runbooks.length > 0) blocks.push(context([fitItems([`📖 Runbook${runbooks.length === 1 ? '' : 's'}:`, ...runbooks], SLACK_LIMITS.sectionText, ' ')]));
  if (answer.evidence && answer.evidence.length > 0) blocks.push(section(`*Evidence*\n${fitLines(answer.evidence.map((line) => `• ${dataText(line)}`), SLACK_LIMITS.sectionText - 20)}`));
  if (answer.candidates && answer.candidates.length > 0) blocks.push(section(`*Root-cause ranking*\n${candidatesText(answer.candidates)}`));
  if (answer.logEvidence && answer.logEvidence.length > 0) blocks.push(section(`*Log evidence*\n${fitLines(answer.logEvidence.map((line) => `• ${dataText(line)}`), SLACK_LIMITS.sectionText - 20)}`));
  const evidenceBlocks = services.map((entry, index) => section(`${index === 0 ? '*Anomalies*\n' : ''}${evidenceText(entry, answer.suspect, options.now)}`));
  blocks.push(...capBlocks(evidenceBlocks, SHOWN.services + 1, 'services in anomaly'));
  // The agent reports the changes it found in its evidence; an empty list from it would read as "none happened".
  if ((answer.method === 'deterministic' || answer.method === 'changes') && investigated) blocks.push(section(`*Recent changes*\n${changes.length === 0 ? 'None recorded.' : changesText(changes, options.now, answer.method === 'changes' ? CHANGES_ASKED_FOR : SHOWN.changes)}`));
  if (answer.suggestions.length > 0) {
    blocks.push(section(`*What to do next*\n${fitLines(answer.suggestions.map((suggestion) => `• ${dataText(suggestion)}`), SLACK_LIMITS.sectionText - 20)}`));
  }
  blocks.push(...proposalBlocks(answer.proposals ?? []));
  const links = queryLinks(answer.queries ?? [], options.links);
  if (links.length > 0) blocks.push(context([fitItems(links, SLACK_LIMITS.sectionText, ' · ')]));
  if (answer.notes && answer.notes.length > 0) blocks.push(context([`🛡️ ${fitItems(answer.notes.map(dataText), SLACK_LIMITS.sectionText - 10, ' ')}`]));
  if (unknown) blocks.push(context([`❓ ${escapeMrkdwn(unknown)}`]));
  if (answer.unreadable && answer.unreadable.length > 0) blocks.push(context([`⚠️ Could not read ${answer.unreadable.map(escapeMrkdwn).join('; ')} — this answer rests on the rest`]));
  blocks.push(context([methodLabel(answer)]));

  const evidenceLines = services.flatMap((entry) => [...entry.anomalies].sort(bySeverityThenNewest)).map((anomaly) => `${severityEmoji(anomaly.severity)} ${anomalyPlain(anomaly)}`);
  const lines = [
    ...(calm ? [headline.plain, ...(answer.asUsual ?? []).map(dataText)] : [...(answer.asUsual ?? []).map(dataText), headline.plain]),
    ...(answer.facts ?? []).map((line) => `• ${dataText(line)}`),
    ...(answer.runbooks ?? []).map(({ service, url }) => `Runbook of ${escapeMrkdwn(service)}: ${escapeMrkdwn(url)}`),
    ...(answer.suspect ? [`Suspect: ${escapeMrkdwn(answer.suspect)}${ownerText(answer.suspectOwner, 'plain')}`] : []),
    ...(answer.diagnosis ? [`Likely fault: ${dataText(answer.diagnosis.summary)}`] : []),
    ...listWithMore(evidenceLines, SHOWN.fallbackEvidence, 'Evidence:'),
    ...listWithMore(
      changes.map((change) => `${changeLinePlain(change)} — ${relativeTime(change.at, options.now)}`),
      answer.method === 'changes' ? CHANGES_ASKED_FOR : SHOWN.fallbackChanges,
      'Recent changes:',
    ),
    ...(answer.evidence ?? []).map((line) => `• ${dataText(line)}`),
    ...(answer.candidates ?? []).map((candidate, index) => `${index + 1}. ${escapeMrkdwn(candidate.service)}: ${dataText(candidate.evidence[0] ?? '')}`),
    ...listWithMore((answer.logEvidence ?? []).map(dataText), SHOWN.fallbackEvidence, 'Log evidence:'),
    ...answer.suggestions.map((suggestion) => `• ${dataText(suggestion)}`),
    ...(answer.proposals ?? []).map((proposal) => `Proposed (needs approval): ${proposalText(proposal)} (${proposal.id})`),
    ...(answer.notes ?? []).map(dataText),
    ...(unknown ? [unknown] : []),
    ...(answer.unreadable && answer.unreadable.length > 0 ? [`Could not read ${answer.unreadable.join('; ')}`] : []),
    methodLabel(answer),
  ];
  return { text: fallbackText(lines), blocks: capBlocks(blocks, SLACK_LIMITS.messageBlocks) };
}

/**
 * " (team payments, #shop-payments) · runbook": whom to bring in and what to read; a channel ID is
 * linked in mrkdwn, where Slack shows its name, and the runbook is a link there, its URL in text.
 */
function ownerText(owner: Answer['suspectOwner'], format: 'mrkdwn' | 'plain'): string {
  if (!owner) return '';
  const channel = format === 'mrkdwn' && !owner.channel.startsWith('#') ? `<#${owner.channel}>` : escapeMrkdwn(owner.channel);
  const runbook = owner.runbook === undefined ? undefined : format === 'mrkdwn' ? slackLink(owner.runbook, 'runbook') : `runbook ${escapeMrkdwn(owner.runbook)}`;
  return ` (team ${escapeMrkdwn(owner.team)}, ${channel})${runbook ? ` · ${runbook}` : ''}`;
}

/** The first thing a reader sees: the conclusion, or a plain statement that nothing is wrong. */
function headlineOf(answer: Answer, services: ServiceInAnomaly[], lookbackMinutes: number): { mrkdwn: string; plain: string } {
  if (answer.conclusion) {
    const conclusion = dataText(answer.conclusion);
    return { mrkdwn: `*${conclusion}*`, plain: conclusion };
  }
  if (services.length === 0) {
    const window = `the last ${describeMinutes(lookbackMinutes)}`;
    const named = answer.services.map(escapeMrkdwn);
    const statement =
      named.length === 0
        ? `No anomalies anywhere in the estate in ${window}`
        : `No anomalies on ${named.join(', ')} or ${named.length === 1 ? 'its' : 'their'} dependencies in ${window}`;
    return { mrkdwn: `✅ *${statement}*`, plain: statement };
  }
  const statement = `Anomalies on ${counted(services.length, 'service')}; no single cause stands out`;
  return { mrkdwn: `*${statement}*`, plain: statement };
}

function evidenceText(entry: ServiceInAnomaly, suspect: string | undefined, now: number): string {
  const anomalies = [...entry.anomalies].sort(bySeverityThenNewest);
  const shown = anomalies.slice(0, SHOWN.anomaliesPerService);
  const lines = shown.map((anomaly) => `${severityEmoji(anomaly.severity)} ${anomalyMrkdwn(anomaly)} · ${whenMrkdwn(anomaly.detectedAt, now)}`);
  const hidden = anomalies.length - shown.length;
  if (hidden > 0) lines.push(`… and ${hidden} more on ${escapeMrkdwn(entry.service)}`);
  if (entry.service === suspect) lines[0] = `${lines[0]} ← suspect`;
  return fitLines(lines, SLACK_LIMITS.sectionText - 20);
}

/** A question only about services the catalogue does not hold is answered with that alone: nothing was looked at. */
function wasInvestigated(answer: Answer): boolean {
  return !(answer.unknownServices && answer.unknownServices.length > 0 && answer.services.length === 0);
}

/** "billing is not a catalogued service (did you mean shipping?)": said beside an answer about the services that are. */
function unknownServicesLine(unknown: NonNullable<Answer['unknownServices']>): string {
  return unknown
    .map((entry) => `${entry.name} is not a catalogued service${entry.suggestions.length > 0 ? ` (did you mean ${entry.suggestions.join(' or ')}?)` : ''}`)
    .join('; ');
}

function candidatesText(candidates: CandidateCause[]): string {
  const lines = candidates.map((candidate, index) => `${index + 1}. *${escapeMrkdwn(candidate.service)}* — ${dataText(candidate.evidence.join('; ') || 'no single signal stands out')}`);
  return fitLines(lines, SLACK_LIMITS.sectionText - 30);
}

function changesText(changes: RecentChange[], now: number, maximum: number): string {
  const shown = changes.slice(0, maximum);
  const lines = shown.map((change) => `${CHANGE_EMOJI[change.kind]} ${changeLineMrkdwn(change)} · ${whenMrkdwn(change.at, now)}`);
  if (changes.length > shown.length) lines.push(`… and ${changes.length - shown.length} more`);
  return fitLines(lines, SLACK_LIMITS.sectionText - 30);
}

/**
 * Descriptions usually start with the service ("payment 2.4.0 → 2.5.0 (deploy …)"), so the name is
 * bolded in place; the kind is added only when the description does not already say it.
 */
function changeLineMrkdwn(change: RecentChange): string {
  const { service, rest, kind } = changeParts(change);
  return `*${service}*${rest}${kind}`;
}

function changeLinePlain(change: RecentChange): string {
  const { service, rest, kind } = changeParts(change);
  return `${service}${rest}${kind}`;
}

function changeParts(change: RecentChange): { service: string; rest: string; kind: string } {
  const service = escapeMrkdwn(change.service);
  const startsWithService = change.description.startsWith(`${change.service} `);
  const rest = dataText(startsWithService ? change.description.slice(change.service.length) : `: ${change.description}`);
  const kind = change.description.toLowerCase().includes(change.kind) ? '' : ` (${change.kind})`;
  return { service, rest, kind };
}

function listWithMore(lines: string[], maximum: number, title: string): string[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, maximum);
  return [title, ...shown, ...(lines.length > shown.length ? [`… and ${lines.length - shown.length} more`] : [])];
}

/** Services with the most severe anomaly first; the suspect wins a tie, then the newest evidence. */
function mostSevereFirst(left: ServiceInAnomaly, right: ServiceInAnomaly, suspect: string | undefined): number {
  const worst = (entry: ServiceInAnomaly) => worstAnomaly(entry.anomalies)!;
  const leftWorst = worst(left);
  const rightWorst = worst(right);
  return (
    severityRank(rightWorst.severity) - severityRank(leftWorst.severity) ||
    Number(right.service === suspect) - Number(left.service === suspect) ||
    rightWorst.detectedAt - leftWorst.detectedAt ||
    left.service.localeCompare(right.service)
  );
}

function describeMinutes(minutes: number): string {
  if (minutes % 60 === 0 && minutes >= 120) return `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
