import type { Catalogue, CatalogueService } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import type { Cluster } from '../sources/cluster.js';
import type { AnomalyLog } from '../state/anomaly-log.js';
import type { Answer, RecentChange, ServiceInAnomaly } from './answer.js';
import { servicesInQuestion } from './question-services.js';
import { recentChanges } from './recent-changes.js';

export interface AnswerDependencies {
  catalogue: Catalogue;
  cluster: Cluster;
  anomalies: AnomalyLog;
  /** The sources' clock. */
  now: () => number;
  /** How far back an anomaly still counts as "now", minutes (default 30). */
  anomalyWindowMinutes?: number;
  /** How far back a change is "recent", hours (default 6). */
  changeWindowHours?: number;
}

/**
 * The answer without an LLM: the services the question names (or the thread was about), what
 * they call, which of them are in anomaly, and what changed. The suspect is the service in
 * anomaly deepest in the call graph — none of its own dependencies is in anomaly — and, among
 * several, the one that went wrong first: faults travel up the graph, callers follow their
 * dependencies. `onProgress` sees each intermediate answer so a Slack message can show the work.
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
  const scope = services.length > 0 ? withDependencies(dependencies.catalogue, services) : Object.values(dependencies.catalogue.services);
  const scopeNames = new Set(scope.map((service) => service.name));
  const now = dependencies.now();

  answer.steps.push(
    services.length > 0
      ? `Looking at ${services.join(', ')}${scope.length > services.length ? ` and what ${services.length > 1 ? 'they call' : 'it calls'} (${scope.filter((service) => !services.includes(service.name)).map((service) => service.name).join(', ')})` : ''}`
      : `No service named: looking at all ${scope.length} catalogued services`,
  );
  await onProgress(answer);

  const windowMinutes = dependencies.anomalyWindowMinutes ?? 30;
  const anomalies = (await dependencies.anomalies.since(now - windowMinutes * 60_000)).filter((anomaly) => scopeNames.has(anomaly.service));
  answer.servicesInAnomaly = groupByService(anomalies);
  answer.steps.push(
    answer.servicesInAnomaly.length > 0
      ? `Anomalies in the last ${windowMinutes} min on ${answer.servicesInAnomaly.map((entry) => entry.service).join(', ')}`
      : `No anomalies in the last ${windowMinutes} min`,
  );
  await onProgress(answer);

  answer.recentChanges = await recentChanges(dependencies.cluster, scope, now - (dependencies.changeWindowHours ?? 6) * 3_600_000);
  answer.steps.push(answer.recentChanges.length > 0 ? `${answer.recentChanges.length} recent change${answer.recentChanges.length > 1 ? 's' : ''} (${answer.recentChanges.map((change) => change.service).join(', ')})` : 'No deploys, rollbacks, restarts or scaling in the last hours');

  const suspect = pickSuspect(dependencies.catalogue, answer.servicesInAnomaly, answer.recentChanges);
  if (suspect) {
    answer.suspect = suspect.service;
    const change = answer.recentChanges.find((candidate) => candidate.service === suspect.service && candidate.kind !== 'scale');
    answer.conclusion = suspect.evidence
      ? `${suspect.evidence.summary}${change ? `, after ${change.description}` : ''}`
      : `Nothing is in anomaly, but ${change?.description ?? suspect.service} changed recently`;
    answer.suggestions = suggestionsFor(suspect.service, suspect.evidence, change);
  }
  answer.stage = 'done';
  return answer;
}

/** The services and, transitively, everything they call. */
function withDependencies(catalogue: Catalogue, names: string[]): CatalogueService[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !catalogue.services[name]) return;
    seen.add(name);
    for (const dependency of catalogue.services[name]!.dependencies) visit(dependency);
  };
  names.forEach(visit);
  return [...seen].map((name) => catalogue.services[name]!);
}

function groupByService(anomalies: Anomaly[]): ServiceInAnomaly[] {
  const byService = new Map<string, Anomaly[]>();
  for (const anomaly of anomalies) byService.set(anomaly.service, [...(byService.get(anomaly.service) ?? []), anomaly]);
  return [...byService.entries()].map(([service, list]) => ({ service, anomalies: list.sort((left, right) => right.detectedAt - left.detectedAt) }));
}

function pickSuspect(catalogue: Catalogue, inAnomaly: ServiceInAnomaly[], changes: RecentChange[]): { service: string; evidence?: Anomaly } | undefined {
  const anomalous = new Set(inAnomaly.map((entry) => entry.service));
  const reachable = (from: string, seen = new Set<string>()): boolean =>
    (catalogue.services[from]?.dependencies ?? []).some((dependency) => {
      if (seen.has(dependency)) return false;
      seen.add(dependency);
      return anomalous.has(dependency) || reachable(dependency, seen);
    });
  const deepest = inAnomaly.filter((entry) => !reachable(entry.service));
  const firstSeen = (entry: ServiceInAnomaly) => Math.min(...entry.anomalies.map((anomaly) => anomaly.detectedAt));
  const candidates = (deepest.length > 0 ? deepest : inAnomaly).sort((left, right) => firstSeen(left) - firstSeen(right));
  const chosen = candidates[0];
  if (chosen) {
    // The most telling evidence: the earliest anomaly of the most severe kind.
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    const evidence = [...chosen.anomalies].sort((left, right) => rank[left.severity] - rank[right.severity] || left.detectedAt - right.detectedAt)[0];
    return { service: chosen.service, evidence };
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
