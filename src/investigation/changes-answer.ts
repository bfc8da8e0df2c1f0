import { catalogueService } from '../catalogue.js';
import { fewUnreadable, recentChanges, type RecentChange } from '../sources/recent-changes.js';
import type { Answer } from './answer.js';
import { changesQuestion, type ChangesQuestion } from './changes-question.js';
import type { AnswerDependencies } from './deterministic-answer.js';

/** What each kind of change is called in a count: "2 deploys, 1 scaling". */
const KIND_NOUNS: Readonly<Record<RecentChange['kind'], [string, string]>> = {
  deploy: ['deploy', 'deploys'],
  rollback: ['rollback', 'rollbacks'],
  restart: ['restart', 'restarts'],
  scale: ['scaling', 'scalings'],
  config: ['configuration change', 'configuration changes'],
  'feature-flag': ['feature flag change', 'feature flag changes'],
  event: ['other change', 'other changes'],
};

/**
 * The answer to "what changed?": the deploys, rollbacks, restarts, scaling and CI/CD change events
 * of the services asked about, over the window the question names (6 hours when it names none),
 * newest first. Undefined for any other question. Nothing is investigated: a question about
 * trouble goes to the investigation, which weighs changes against the anomalies.
 */
export async function changesAnswer(question: string, threadServices: readonly string[], dependencies: AnswerDependencies): Promise<Answer | undefined> {
  const asked = changesQuestion(dependencies.catalogue, question, threadServices, dependencies.now());
  return asked ? answerChanges(question, asked, dependencies) : undefined;
}

/** What changed for the services over the window, counted by kind: the answer to a question, or to `/aiops changes`. */
export async function answerChanges(question: string, asked: ChangesQuestion, dependencies: AnswerDependencies): Promise<Answer> {
  const services = asked.services.flatMap((name) => catalogueService(dependencies.catalogue, name) ?? []);
  const unreadable: string[] = [];
  const changes = await recentChanges(dependencies.cluster, services, asked.since, dependencies.changeEvents, unreadable);
  const where = asked.services.length === Object.keys(dependencies.catalogue.services).length ? 'anywhere in the estate' : `on ${asked.services.join(', ')}`;
  return {
    question,
    services: asked.services,
    stage: 'done',
    steps: [],
    conclusion: changes.length === 0 ? `No deploys, rollbacks, restarts, scaling or configuration changes ${where} ${asked.window}` : `${countByKind(changes)} ${where} ${asked.window}`,
    servicesInAnomaly: [],
    recentChanges: changes,
    suggestions: [],
    ...(unreadable.length > 0 ? { unreadable: fewUnreadable(unreadable) } : {}),
    method: 'changes',
  };
}

/** "3 changes: 2 deploys, 1 scaling", or "1 deploy". */
function countByKind(changes: readonly RecentChange[]): string {
  const counts = new Map<RecentChange['kind'], number>();
  for (const change of changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1);
  const parts = [...counts].sort((left, right) => right[1] - left[1]).map(([kind, count]) => `${count} ${KIND_NOUNS[kind][count === 1 ? 0 : 1]}`);
  return parts.length === 1 ? parts[0]! : `${changes.length} changes: ${parts.join(', ')}`;
}
