import type { Trend, TrendComparisonKind } from '../../forecast/trends.js';
import { formatNumber } from '../../format-number.js';
import type { DeployedRevision, ServiceTrends } from '../../investigation/service-trends.js';
import { formatSignalValue, SIGNALS } from '../../signals.js';
import { context, escapeMrkdwn, fallbackText, fitItems, fitLines, header, section, slackDate, SLACK_LIMITS, utcText, type BlockMessage, type KnownBlock } from './limits.js';

export interface TrendsMessageOptions {
  /** The service asked about; absent, the answer covers every service the asker sees. */
  service?: string;
}

const DIRECTION_EMOJI: Readonly<Record<Trend['direction'], string>> = { worse: '🔴', better: '🟢', traffic: '🔵' };

const COMPARISON_WORDS: Readonly<Record<TrendComparisonKind, string>> = {
  'week-over-week': 'week over week',
  'day-over-day': 'day over day',
  'since-deploy': 'since deploy',
};

/** Rollouts named: the newest are the ones a reader checks a change against. */
const ROLLOUTS_SHOWN = 3;
/** Characters the context lines may take: a long list of services must not crowd out the trends. */
const CONTEXT_CHARACTERS = 600;

/**
 * The reply to `/aiops trends [service]`: one line per sustained change, largest first, e.g.
 * "🔴 cart memory +38% week over week (412 MiB → 569 MiB, sustained 23/24 h)", then which windows
 * were compared and what could not be. With no change found it says so, and over which windows,
 * so "nothing" is not mistaken for "not looked".
 */
export function trendsMessage(result: ServiceTrends, options: TrendsMessageOptions = {}): BlockMessage {
  const scope = options.service ?? `${result.services.length} ${result.services.length === 1 ? 'service' : 'services'}`;
  const deploys = new Map(result.deploys.map((deploy) => [deploy.service, deploy]));
  const notes = [...windowNotes(result), ...skippedNotes(result), ...problemNotes(result)];
  const plainNotes = notes.map((note) => note.plain);
  if (result.trends.length === 0) {
    const text = `No sustained change in ${scope}: ${comparedPhrase(result)}.`;
    return {
      text: fallbackText([escapeMrkdwn(text), ...plainNotes.map(escapeMrkdwn)]),
      blocks: [section(escapeMrkdwn(text)), ...contextBlocks(notes.map((note) => note.mrkdwn))],
    };
  }
  const title = `Sustained changes in ${scope}`;
  const more = result.found > result.trends.length ? `… and ${result.found - result.trends.length} smaller ones not shown` : undefined;
  const lines = result.trends.map((trend) => trendLine(trend, deploys.get(trend.service)));
  const blocks: KnownBlock[] = [
    header(title),
    section(fitLines([...lines.map((line) => `${DIRECTION_EMOJI[line.trend.direction]} ${escapeMrkdwn(line.text)}`), ...(more ? [more] : [])])),
    ...contextBlocks(notes.map((note) => note.mrkdwn)),
  ];
  return {
    text: fallbackText([escapeMrkdwn(`${title}:`), ...lines.map((line) => escapeMrkdwn(line.text)), ...(more ? [more] : []), ...plainNotes.map(escapeMrkdwn)]),
    blocks,
  };
}

/** "cart memory +38% week over week (412 MiB → 569 MiB, sustained 23/24 h)" */
export function trendLine(trend: Trend, deploy?: DeployedRevision): { trend: Trend; text: string } {
  const comparison = trend.comparison.kind === 'since-deploy' && deploy ? `since deploy of ${deploy.version}` : COMPARISON_WORDS[trend.comparison.kind];
  const values = `${formatSignalValue(trend.signal, trend.before)} → ${formatSignalValue(trend.signal, trend.after)}`;
  return { trend, text: `${trend.service} ${trend.signal} ${changeText(trend)} ${comparison} (${values}, sustained ${trend.sustainedHours}/${trend.comparedHours} h)` };
}

/** "+38%", "−12%", "×4.2" from twice the level up, "up from none" when there was none before. */
function changeText(trend: Trend): string {
  if (trend.relativeChange === undefined) return trend.rising ? 'up from none' : 'down';
  if (trend.relativeChange >= 1) return `×${formatNumber(1 + trend.relativeChange)}`;
  const percent = Math.round(trend.relativeChange * 100);
  return percent >= 0 ? `+${percent}%` : `−${Math.abs(percent)}%`;
}

interface Note {
  mrkdwn: string;
  plain: string;
}

/** "week over week (the last 24 h against the same hours a week earlier) for 9 services" and the like. */
function comparedPhrase(result: ServiceTrends): string {
  const byKind = new Map<TrendComparisonKind, Set<string>>();
  for (const made of result.compared) byKind.set(made.comparison.kind, (byKind.get(made.comparison.kind) ?? new Set()).add(made.service));
  if (byKind.size === 0) return 'nothing could be compared';
  const phrases = [...byKind].map(([kind, services]) => `${COMPARISON_WORDS[kind]} (${windowWords(kind, result)}) for ${serviceList([...services], result)}`);
  return `compared ${phrases.join(', and ')}`;
}

function windowWords(kind: TrendComparisonKind, result: ServiceTrends): string {
  if (kind === 'since-deploy') return 'up to 24 h after the newest rollout against the same hours the day before';
  const made = result.compared.find((entry) => entry.comparison.kind === kind)!;
  const hours = Math.round((made.comparison.after.end - made.comparison.after.start) / 3_600_000);
  return `the last ${hours} h against the same hours ${kind === 'week-over-week' ? 'a week earlier' : 'the day before'}`;
}

/** "all 10 services", or the names when fewer than all were compared this way. */
function serviceList(services: string[], result: ServiceTrends): string {
  if (services.length > 1 && services.length === result.services.length) return `all ${services.length} services`;
  return fitItems(services, 200, ', ');
}

/** Which windows were compared, and the rollouts since-deploy comparisons start at. */
function windowNotes(result: ServiceTrends): Note[] {
  if (result.trends.length === 0 && result.compared.length === 0) return [];
  const notes: Note[] = [];
  if (result.trends.length > 0) notes.push({ mrkdwn: `Compared ${escapeMrkdwn(comparedPhrase(result).replace(/^compared /, ''))}.`, plain: `Compared ${comparedPhrase(result).replace(/^compared /, '')}.` });
  if (result.deploys.length > 0) {
    const newest = [...result.deploys].sort((left, right) => right.at - left.at).slice(0, ROLLOUTS_SHOWN);
    const more = result.deploys.length > newest.length ? `, … and ${result.deploys.length - newest.length} older` : '';
    notes.push({
      mrkdwn: `Newest rollouts: ${fitItems(newest.map((deploy) => `${escapeMrkdwn(deploy.service)} ${escapeMrkdwn(deploy.version)} ${slackDate(deploy.at)}`), CONTEXT_CHARACTERS, ', ')}${more}`,
      plain: `Newest rollouts: ${fitItems(newest.map((deploy) => `${deploy.service} ${deploy.version} ${utcText(deploy.at)}`), CONTEXT_CHARACTERS, ', ')}${more}`,
    });
  }
  return notes;
}

/** "Not compared since deploy: cart (deployed less than 3 h ago)"; the signals are named when not all of a service's were skipped. */
function skippedNotes(result: ServiceTrends): Note[] {
  const grouped = new Map<string, { heading: string; items: string[] }>();
  for (const skipped of result.skipped) {
    const what = skipped.signals.length === SIGNALS.length ? skipped.service : `${skipped.service} ${skipped.signals.join(', ')}`;
    const heading = `Not compared ${skipped.kind === 'since-deploy' ? 'since deploy' : 'week or day over day'} (${skipped.reason})`;
    const group = grouped.get(heading) ?? { heading, items: [] };
    group.items.push(what);
    grouped.set(heading, group);
  }
  return [...grouped.values()].map(({ heading, items }) => {
    const text = `${heading}: ${fitItems(items, CONTEXT_CHARACTERS, '; ')}`;
    return { mrkdwn: escapeMrkdwn(text), plain: text };
  });
}

function problemNotes(result: ServiceTrends): Note[] {
  return result.problems.map((problem) => {
    const text = `⚠️ ${problem.service}: ${problem.problem}`;
    return { mrkdwn: escapeMrkdwn(text), plain: text };
  });
}

/** Notes as context blocks, one element each, within Slack's ten elements a block. */
function contextBlocks(texts: readonly string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (let index = 0; index < texts.length && blocks.length < SLACK_LIMITS.messageBlocks - 3; index += SLACK_LIMITS.contextElements) {
    blocks.push(context(texts.slice(index, index + SLACK_LIMITS.contextElements)));
  }
  return blocks;
}
