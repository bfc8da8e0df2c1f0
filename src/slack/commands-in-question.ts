import type { Catalogue } from '../catalogue.js';
import { capacityQuestion } from '../investigation/capacity-question.js';
import { catalogueQuestion } from '../investigation/catalogue-question.js';
import { changesQuestion } from '../investigation/changes-question.js';
import { historyQuestion } from '../investigation/history-question.js';
import { incidentsQuestion } from '../investigation/incidents-question.js';
import { logsQuestion } from '../investigation/logs-question.js';
import { trendsQuestion } from '../investigation/trends-question.js';
import { matchServicesInQuestion, servicesAskedAbout } from '../investigation/question-services.js';
import { unknownServicesInQuestion } from '../investigation/unknown-services.js';
import type { AiopsCommand } from './aiops-command.js';

/** Services one question is answered for at most: each forecast is a chart of its own, each log summary a message. */
const MAXIMUM_SERVICES_ANSWERED = 3;

export type QuestionCommand = Extract<AiopsCommand, { kind: 'forecast' | 'logs' | 'incidents' | 'trends' | 'history' | 'capacity' }>;

/** What a question in words asks a command for: one per service, at most a few, and the services left out. */
export interface CommandsInQuestion {
  commands: QuestionCommand[];
  /** Services named beyond the first MAXIMUM_SERVICES_ANSWERED: each would be a chart or a list of its own. */
  leftOut: string[];
  /** A logs question that names no service, in a thread about none: what to ask instead. */
  whichService?: string;
}

/**
 * The `/aiops` commands a question asks for in words: a forecast ("how many replicas will
 * order-service need tomorrow?"; of no service, the estate's capacity warnings), a service's log templates ("what is payment logging?"), the
 * trends ("how is checkout doing compared to last week?"), the open incidents ("what's
 * firing?") or the incident history ("how many incidents did we have last week?"). None for
 * any other question, which is investigated; the catalogue and the change record answer first, as
 * in `investigate` ("who owns payment's logs?" is about an owner). A follow-up naming only other
 * services ("and payment?") asks the same as the question it follows among `earlierQuestions`
 * (the thread's, newest first), when a command answered that. Pure: `now` dates "tomorrow".
 */
export function commandsInQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[], now: number, earlierQuestions: readonly string[] = []): CommandsInQuestion {
  const none: CommandsInQuestion = { commands: [], leftOut: [] };
  if (catalogueQuestion(catalogue, question, threadServices) || changesQuestion(catalogue, question, threadServices, now)) return none;
  const followUp = sameForOthers(catalogue, question, earlierQuestions, now);
  if (followUp) return followUp;
  // A name the catalogue lacks is left to the investigation, which says so and what it may mean.
  const namesUnknown = () => unknownServicesInQuestion(catalogue, question).length > 0;
  const capacity = capacityQuestion(catalogue, question, threadServices, now);
  // "Will anything run out of capacity this week?": the estate's week-ahead forecasts, as /aiops capacity lists them.
  if (capacity?.services.length === 0) return namesUnknown() ? none : { commands: [{ kind: 'capacity' }], leftOut: [] };
  if (capacity) return firstFew(capacity.services, (service): QuestionCommand => ({ kind: 'forecast', service, signal: capacity.signal, horizonHours: capacity.horizonHours }));
  const logs = logsQuestion(catalogue, question, threadServices);
  const example = Object.keys(catalogue.services)[0] ?? 'order-service';
  if (logs?.services.length === 0) return namesUnknown() ? none : { ...none, whichService: `Which service? Name a catalogued one, e.g. "what is ${example} logging?"` };
  if (logs) return firstFew(logs.services, (service): QuestionCommand => ({ kind: 'logs', service, minutes: logs.minutes }));
  const trends = trendsQuestion(catalogue, question, threadServices);
  if (trends) return { commands: [{ kind: 'trends', ...trends }], leftOut: [] };
  if (incidentsQuestion(catalogue, question)) return { commands: [{ kind: 'incidents' }], leftOut: [] };
  const history = historyQuestion(catalogue, question, threadServices);
  if (history) return { commands: [{ kind: 'history', ...history }], leftOut: [] };
  return none;
}

/** What a follow-up says besides the services it names: "and payment?", "what about cart?", "same for the db". */
const FOLLOW_UP = /^(?:(?:and|also|what|how|about|same|for|the|then|now|ok|okay|of|with|please|too|as|well|it|its|@)\s*)+$/;

/** The services a follow-up names, when it says nothing else: "and payment?", "what about cart?", "same for the db". */
function followUpServices(catalogue: Catalogue, question: string): string[] {
  const { services, rest } = matchServicesInQuestion(catalogue, question);
  return services.length > 0 && FOLLOW_UP.test(rest.trim()) ? servicesAskedAbout(catalogue, services, []) : [];
}

/**
 * "And payment?" after "how many replicas will order-service need tomorrow?": the same command for
 * the services the follow-up names, when the question it follows (the newest earlier one that is
 * not itself a follow-up) was answered by one. Undefined when the follow-up says more than its
 * services, or the question it follows was investigated.
 */
function sameForOthers(catalogue: Catalogue, question: string, earlierQuestions: readonly string[], now: number): CommandsInQuestion | undefined {
  const named = followUpServices(catalogue, question);
  const followed = earlierQuestions.find((earlier) => followUpServices(catalogue, earlier).length === 0);
  if (named.length === 0 || followed === undefined) return undefined;
  const [template] = commandsInQuestion(catalogue, followed, [], now).commands;
  if (template?.kind === 'forecast' || template?.kind === 'logs') return firstFew(named, (service) => ({ ...template, service }));
  if ((template?.kind === 'trends' || template?.kind === 'history') && named.length === 1) return { commands: [{ ...template, service: named[0]! }], leftOut: [] };
  return undefined;
}

function firstFew(services: readonly string[], command: (service: string) => QuestionCommand): CommandsInQuestion {
  return { commands: services.slice(0, MAXIMUM_SERVICES_ANSWERED).map(command), leftOut: services.slice(MAXIMUM_SERVICES_ANSWERED) };
}
