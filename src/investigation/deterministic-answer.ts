import type { ChangeEventReader } from '../alerts/change-event.js';
import { ownerOf, type Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { FAULT_NAMES, faultAdvice } from '../rca/fault-advice.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import type { RankedCause } from '../rca/root-cause-input.js';
import type { Cluster } from '../sources/cluster.js';
import type { LogSource } from '../sources/logs.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { LogFindingLog } from '../state/log-finding-log.js';
import type { Answer, CandidateCause, ServiceInAnomaly } from './answer.js';
import { collectRootCauseInput } from './collect-root-cause-input.js';
import { explainSuspect } from './explain-suspect.js';
import { calmNamed, observeScope, symptomIn, type ObservedScope } from './observe-scope.js';
import { servicesInQuestion } from './question-services.js';
import { fewUnreadable, recentChanges, type RecentChange } from '../sources/recent-changes.js';
import type { TraceSource } from '../sources/traces.js';
import { describeUnknownServices, unknownServicesInQuestion } from './unknown-services.js';

export interface AnswerDependencies {
  catalogue: Catalogue;
  cluster: Cluster;
  metrics: MetricsSource;
  anomalies: Pick<AnomalyLog, 'since'>;
  /** The services' logs: the error templates an answer quotes. Absent, log findings stand in. */
  logs?: LogSource;
  /** Recent log findings per service; absent, the ranking reads no logs. */
  logFindings?: LogFindingLog;
  /** Traces; absent, the ranking's call graph is the catalogue's alone. */
  traces?: TraceSource;
  /** The sources' clock. */
  now: () => number;
  /** How far back an anomaly still counts as "now", minutes (default 30). */
  anomalyWindowMinutes?: number;
  /** How far back a change is "recent", hours (default 6). */
  changeWindowHours?: number;
  /** CI/CD's change events (deploys, configuration changes, feature flags); absent, the cluster's changes alone. */
  changeEvents?: ChangeEventReader;
}

/** How many of the engine's candidates an answer shows. */
const CANDIDATES_SHOWN = 3;

/**
 * The answer without an LLM: the services the question names (or the thread was about), what
 * they call, which of them are in anomaly (as detection recorded it, or as their metrics show
 * against the hour before), and what changed. When something is in anomaly, the root-cause engine
 * ranks the services in scope from their metrics before and after the start, the call graph,
 * changes, cluster events and log findings; its first candidate is the suspect, and the kind of
 * fault its evidence describes chooses the advice. A named service that shows nothing is said to,
 * in figures, and is no symptom to explain; when what it calls is only busier, the answer follows
 * that load to where it comes from. A question about services the catalogue does not hold is
 * answered with that, and the names it may mean, not with the whole estate.
 * `onProgress` sees each intermediate answer so a Slack message can show the work.
 */
export async function deterministicAnswer(
  question: string,
  threadServices: string[],
  dependencies: AnswerDependencies,
  onProgress: (answer: Answer) => Promise<void> = async () => undefined,
): Promise<Answer> {
  const named = servicesInQuestion(dependencies.catalogue, question);
  const unknown = unknownServicesInQuestion(dependencies.catalogue, question);
  // A name the catalogue does not hold is still a name: the thread's services are not what the question is about.
  const services = named.length > 0 || unknown.length > 0 ? named : threadServices;
  const answer: Answer = { question, services, stage: 'investigating', steps: [], servicesInAnomaly: [], recentChanges: [], suggestions: [], method: 'deterministic' };
  if (unknown.length > 0) {
    answer.unknownServices = unknown;
    answer.steps.push(describeUnknownServices(dependencies.catalogue, unknown));
    if (services.length === 0) return unknownServicesAnswer(answer, dependencies.catalogue);
  }
  const now = dependencies.now();
  const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
  const observed = await observeScope(dependencies, services, now);
  const scope = observed.services;

  answer.steps.push(scopeStep(services, observed));
  await onProgress(answer);

  const anomalies = observed.anomalies;
  answer.servicesInAnomaly = groupByService(anomalies);
  const asUsual = calmNamed(observed, services, now);
  if (asUsual.length > 0) answer.asUsual = asUsual;
  const foundHere = observed.foundInMetrics.length > 0 ? ` (in the metrics against the hour before for ${observed.foundInMetrics.join(', ')}, which detection recorded nothing about)` : '';
  answer.steps.push(
    answer.servicesInAnomaly.length > 0
      ? `Anomalies in the last ${windowMinutes} min on ${answer.servicesInAnomaly.map((entry) => entry.service).join(', ')}${foundHere}`
      : `No anomalies in the last ${windowMinutes} min`,
  );
  if (observed.series.problems.length > 0) {
    answer.unreadable = observed.series.problems;
    answer.steps.push(`Could not read: ${observed.series.problems.join('; ')}`);
  }
  await onProgress(answer);

  const changesUnread: string[] = [];
  answer.recentChanges = await recentChanges(dependencies.cluster, scope, now - (dependencies.changeWindowHours ?? 6) * 3_600_000, dependencies.changeEvents, changesUnread);
  answer.steps.push(changesStep(answer.recentChanges, changesUnread));
  // An unreadable cluster must not pass for "nothing changed": a deploy it hides is the first suspect.
  if (changesUnread.length > 0) answer.unreadable = [...(answer.unreadable ?? []), ...fewUnreadable(changesUnread)];

  if (anomalies.length > 0) {
    answer.steps.push(`Ranking root causes: ${scope.length === 1 ? `${scope[0]}'s` : `${scope.length} services'`} signals before and since the trouble started, the call graph, changes, cluster events and log findings`);
    await onProgress(answer);
    const { input, problems } = await collectRootCauseInput(scope, dependencies, { now, anomalies, symptom: symptomIn(services, anomalies), changes: answer.recentChanges, series: observed.series });
    const unread = problems.filter((problem) => !(answer.unreadable ?? []).includes(problem));
    if (unread.length > 0) answer.unreadable = [...(answer.unreadable ?? []), ...unread];
    const ranked = rankRootCauses(input).ranking;
    const shown = ranked.slice(0, CANDIDATES_SHOWN);
    answer.candidates = shown.map((cause): CandidateCause => ({ service: cause.service, score: cause.score, evidence: cause.evidence.slice(0, 3).map((piece) => piece.summary) }));
    const suspect = pickSuspect(answer.servicesInAnomaly, ranked);
    if (suspect) {
      answer.steps.push(`Reading the error logs of ${shown.map((cause) => cause.service).join(', ')} and what kind of fault ${suspect.service} shows`);
      await onProgress(answer);
      const explanation = await explainSuspect(suspect.service, shown, input, dependencies.logs, now);
      const change = answer.recentChanges.find((candidate) => candidate.service === suspect.service && candidate.kind !== 'scale');
      const because = suspect.evidence?.summary ?? (suspect.engineEvidence ? `${suspect.service}: ${suspect.engineEvidence}` : `${suspect.service} moved first`);
      answer.suspect = suspect.service;
      answer.suspectOwner = ownerOf(dependencies.catalogue, suspect.service);
      answer.conclusion = `${because}${change ? `, after ${change.description}` : ''}`;
      answer.diagnosis = { kind: explanation.diagnosis.kind, summary: `${FAULT_NAMES[explanation.diagnosis.kind]}: ${explanation.diagnosis.because}` };
      answer.suggestions = faultAdvice(suspect.service, explanation.diagnosis, input.anomalyStart);
      if (explanation.logLines.length > 0) answer.logEvidence = explanation.logLines;
      if (explanation.problems.length > 0) answer.unreadable = [...(answer.unreadable ?? []), ...explanation.problems];
    }
  } else {
    // Nothing is in anomaly: a recent change is the only lead, and only something to watch.
    const change = answer.recentChanges.find((candidate) => candidate.kind !== 'scale');
    if (change) {
      answer.suspect = change.service;
      answer.suspectOwner = ownerOf(dependencies.catalogue, change.service);
      answer.conclusion = `Nothing is in anomaly, but ${change.description} changed recently`;
      answer.suggestions = [`Watch ${change.service} after this ${changeNoun(change.kind)}; nothing in its metrics says it went wrong`];
    }
  }
  answer.stage = 'done';
  return answer;
}

/** What the changes step found, and what it could not read. */
function changesStep(changes: readonly RecentChange[], unread: readonly string[]): string {
  const found = changes.length > 0 ? `${changes.length} recent change${changes.length > 1 ? 's' : ''} (${changes.map((change) => change.service).join(', ')})` : 'No deploys, rollbacks, restarts, scaling or configuration changes in the last hours';
  return unread.length > 0 ? `${found}; could not read ${fewUnreadable(unread).join('; ')}` : found;
}

/** Where the answer looks, and why there when it looks beyond what the named services call. */
function scopeStep(named: string[], observed: ObservedScope): string {
  const scope = observed.services;
  if (named.length === 0) return `No service named: looking at all ${scope.length} catalogued services`;
  const plural = named.length > 1;
  const loadSources = observed.loadSources?.added ?? [];
  const below = scope.map((service) => service.name).filter((name) => !named.includes(name) && !loadSources.includes(name));
  if (below.length === 0 && loadSources.length === 0) return `Looking at ${named.join(', ')}`;
  if (observed.widenedToCallers) return `Looking at ${named.join(', ')}: ${plural ? 'they are' : 'it is'} only busier than usual, so also at what sends ${plural ? 'them' : 'it'} load (${below.join(', ')})`;
  const looking = `Looking at ${named.join(', ')} and what ${plural ? 'they call' : 'it calls'} (${below.join(', ')})`;
  if (!observed.loadSources) return looking;
  const busy = observed.loadSources.busy;
  return `${looking}: ${plural ? 'they show' : 'it shows'} nothing unusual and ${busy.join(', ')} ${busy.length > 1 ? 'are' : 'is'} only busier than usual, so also at what sends ${busy.length > 1 ? 'them' : 'it'} load (${loadSources.join(', ')})`;
}

/** The whole answer to a question about services the catalogue does not hold: what it may mean, and nothing investigated. */
function unknownServicesAnswer(answer: Answer, catalogue: Catalogue): Answer {
  return {
    ...answer,
    stage: 'done',
    conclusion: describeUnknownServices(catalogue, answer.unknownServices ?? []),
    suggestions: ['Ask again with a catalogued service, or "is anything wrong?" for the whole estate'],
  };
}

function groupByService(anomalies: Anomaly[]): ServiceInAnomaly[] {
  const byService = new Map<string, Anomaly[]>();
  for (const anomaly of anomalies) byService.set(anomaly.service, [...(byService.get(anomaly.service) ?? []), anomaly]);
  return [...byService.entries()].map(([service, list]) => ({ service, anomalies: list.sort((left, right) => right.detectedAt - left.detectedAt) }));
}

/** The engine's first candidate, with the most telling anomaly for it when there is one: the earliest of the most severe kind. */
function pickSuspect(inAnomaly: ServiceInAnomaly[], ranked: RankedCause[]): { service: string; evidence?: Anomaly; engineEvidence?: string } | undefined {
  const top = ranked[0];
  if (!top) return undefined;
  const anomalies = inAnomaly.find((entry) => entry.service === top.service)?.anomalies ?? [];
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  const evidence = [...anomalies].sort((left, right) => rank[left.severity] - rank[right.severity] || left.detectedAt - right.detectedAt)[0];
  return { service: top.service, evidence, engineEvidence: top.evidence[0]?.summary };
}

/** "deploy", "configuration change", "feature flag change": a change's kind as a sentence names it. */
function changeNoun(kind: Answer['recentChanges'][number]['kind']): string {
  return kind === 'config' ? 'configuration change' : kind === 'feature-flag' ? 'feature flag change' : kind;
}
