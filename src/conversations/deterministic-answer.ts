import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import type { RankedCause } from '../rca/root-cause-input.js';
import type { Cluster } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { LogFindingLog } from '../state/log-finding-log.js';
import type { Answer, CandidateCause, RecentChange, ServiceInAnomaly } from './answer.js';
import { collectRootCauseInput } from './collect-root-cause-input.js';
import { servicesInQuestion } from './question-services.js';
import { recentChanges } from './recent-changes.js';
import { investigationScope } from './services-in-scope.js';

export interface AnswerDependencies {
  catalogue: Catalogue;
  cluster: Cluster;
  metrics: MetricsSource;
  anomalies: AnomalyLog;
  /** Recent log findings per service; absent, the ranking reads no logs. */
  logFindings?: LogFindingLog;
  /** The sources' clock. */
  now: () => number;
  /** How far back an anomaly still counts as "now", minutes (default 30). */
  anomalyWindowMinutes?: number;
  /** How far back a change is "recent", hours (default 6). */
  changeWindowHours?: number;
}

/** How many of the engine's candidates an answer shows. */
const CANDIDATES_SHOWN = 3;

/**
 * The answer without an LLM: the services the question names (or the thread was about), what
 * they call, which of them are in anomaly, and what changed. When something is in anomaly, the
 * root-cause engine ranks the services in scope from their metrics before and after the start,
 * the call graph, changes, cluster events and log findings; its first candidate is the suspect.
 * `onProgress` sees each intermediate answer so a Slack message can show the work.
 */
export async function deterministicAnswer(
  question: string,
  threadServices: string[],
  dependencies: AnswerDependencies,
  onProgress: (answer: Answer) => Promise<void> = async () => undefined,
): Promise<Answer> {
  const named = servicesInQuestion(dependencies.catalogue, question);
  const services = named.length > 0 ? named : threadServices;
  const answer: Answer = { question, services, stage: 'investigating', steps: [], servicesInAnomaly: [], recentChanges: [], suggestions: [], method: 'deterministic' };
  const now = dependencies.now();
  const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
  const recent = await dependencies.anomalies.since(now - windowMinutes * 60_000);
  const { services: scope, widenedToCallers } = investigationScope(dependencies.catalogue, services, recent);
  const scopeNames = new Set(scope.map((service) => service.name));

  const others = scope.filter((service) => !services.includes(service.name)).map((service) => service.name);
  const subject = services.length > 1 ? 'they' : 'it';
  answer.steps.push(
    services.length === 0
      ? `No service named: looking at all ${scope.length} catalogued services`
      : others.length === 0
        ? `Looking at ${services.join(', ')}`
        : widenedToCallers
          ? `Looking at ${services.join(', ')}: ${subject} ${services.length > 1 ? 'are' : 'is'} only busier than usual, so also at what sends ${services.length > 1 ? 'them' : 'it'} load (${others.join(', ')})`
          : `Looking at ${services.join(', ')} and what ${services.length > 1 ? 'they call' : 'it calls'} (${others.join(', ')})`,
  );
  await onProgress(answer);

  const anomalies = recent.filter((anomaly) => scopeNames.has(anomaly.service));
  answer.servicesInAnomaly = groupByService(anomalies);
  answer.steps.push(
    answer.servicesInAnomaly.length > 0
      ? `Anomalies in the last ${windowMinutes} min on ${answer.servicesInAnomaly.map((entry) => entry.service).join(', ')}`
      : `No anomalies in the last ${windowMinutes} min`,
  );
  await onProgress(answer);

  answer.recentChanges = await recentChanges(dependencies.cluster, scope, now - (dependencies.changeWindowHours ?? 6) * 3_600_000);
  answer.steps.push(answer.recentChanges.length > 0 ? `${answer.recentChanges.length} recent change${answer.recentChanges.length > 1 ? 's' : ''} (${answer.recentChanges.map((change) => change.service).join(', ')})` : 'No deploys, rollbacks, restarts or scaling in the last hours');

  let ranked: RankedCause[] = [];
  if (anomalies.length > 0) {
    answer.steps.push(`Ranking root causes: ${scope.length} services' signals before and since the trouble started, the call graph, changes, cluster events and log findings`);
    await onProgress(answer);
    const { input, problems } = await collectRootCauseInput(scope, dependencies, { now, anomalies, symptom: services[0], changes: answer.recentChanges });
    ranked = rankRootCauses(input).ranking;
    answer.candidates = ranked.slice(0, CANDIDATES_SHOWN).map((cause): CandidateCause => ({ service: cause.service, score: cause.score, evidence: cause.evidence.slice(0, 3).map((piece) => piece.summary) }));
    if (problems.length > 0) {
      answer.unreadable = problems;
      answer.steps.push(`Could not read: ${problems.join('; ')}`);
    }
  }

  const suspect = pickSuspect(answer.servicesInAnomaly, ranked, answer.recentChanges);
  if (suspect) {
    answer.suspect = suspect.service;
    const change = answer.recentChanges.find((candidate) => candidate.service === suspect.service && candidate.kind !== 'scale');
    const because = suspect.evidence?.summary ?? (suspect.engineEvidence ? `${suspect.service}: ${suspect.engineEvidence}` : undefined);
    answer.conclusion = because ? `${because}${change ? `, after ${change.description}` : ''}` : `Nothing is in anomaly, but ${change?.description ?? suspect.service} changed recently`;
    answer.suggestions = suggestionsFor(suspect.service, suspect.evidence, change);
  }
  answer.stage = 'done';
  return answer;
}

function groupByService(anomalies: Anomaly[]): ServiceInAnomaly[] {
  const byService = new Map<string, Anomaly[]>();
  for (const anomaly of anomalies) byService.set(anomaly.service, [...(byService.get(anomaly.service) ?? []), anomaly]);
  return [...byService.entries()].map(([service, list]) => ({ service, anomalies: list.sort((left, right) => right.detectedAt - left.detectedAt) }));
}

/**
 * The engine's first candidate, with the detector's most telling anomaly for it when it has one.
 * With nothing in anomaly there is no ranking; a recent change is then the only lead.
 */
function pickSuspect(inAnomaly: ServiceInAnomaly[], ranked: RankedCause[], changes: RecentChange[]): { service: string; evidence?: Anomaly; engineEvidence?: string } | undefined {
  const top = ranked[0];
  if (top) {
    const anomalies = inAnomaly.find((entry) => entry.service === top.service)?.anomalies ?? [];
    // The most telling detector evidence: the earliest anomaly of the most severe kind.
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    const evidence = [...anomalies].sort((left, right) => rank[left.severity] - rank[right.severity] || left.detectedAt - right.detectedAt)[0];
    return { service: top.service, evidence, engineEvidence: top.evidence[0]?.summary };
  }
  const change = changes.find((candidate) => candidate.kind !== 'scale');
  return change ? { service: change.service } : undefined;
}

function suggestionsFor(service: string, evidence: Anomaly | undefined, change: RecentChange | undefined): string[] {
  const suggestions: string[] = [];
  const signals = new Set(evidence?.signals ?? []);
  if (change?.kind === 'deploy') suggestions.push(`Roll ${service} back to the revision before ${change.description.split(' (')[0]!.split(' → ')[1] ?? 'the deploy'}`);
  if (evidence?.kind === 'predictive' || signals.has('memory')) suggestions.push(`Restart ${service} to buy time, then look for the leak in its latest changes`);
  if (signals.has('cpu') || signals.has('request_rate')) suggestions.push(`Scale ${service} out if the extra load is legitimate, or rate-limit its source`);
  if (signals.has('restarts')) suggestions.push(`Check ${service}'s pod events and last termination reason (crash loop, OOMKilled)`);
  if (signals.has('latency_p95') || signals.has('error_rate')) suggestions.push(`Read ${service}'s error logs from ${new Date(evidence?.detectedAt ?? 0).toISOString().slice(11, 16)} UTC and check what it waits on (connections, locks, downstream calls)`);
  if (suggestions.length === 0) suggestions.push(`Look at ${service}'s dashboards and logs around the time it changed`);
  return suggestions;
}
