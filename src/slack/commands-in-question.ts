import type { Catalogue } from '../catalogue.js';
import { capacityQuestion } from '../investigation/capacity-question.js';
import { catalogueQuestion } from '../investigation/catalogue-question.js';
import { changesQuestion } from '../investigation/changes-question.js';
import { historyQuestion } from '../investigation/history-question.js';
import { incidentsQuestion } from '../investigation/incidents-question.js';
import { logsQuestion } from '../investigation/logs-question.js';
import { trendsQuestion } from '../investigation/trends-question.js';
import { unknownServicesInQuestion } from '../investigation/unknown-services.js';
import type { AiopsCommand } from './aiops-command.js';

/** Services one question is answered for at most: each forecast is a chart of its own, each log summary a message. */
const MAXIMUM_SERVICES_ANSWERED = 3;

export type QuestionCommand = Extract<AiopsCommand, { kind: 'forecast' | 'logs' | 'incidents' | 'trends' | 'history' }>;

/** What a question in words asks a command for: one per service, at most a few, and the services left out. */
export interface CommandsInQuestion {
  commands: QuestionCommand[];
  /** Services named beyond the first MAXIMUM_SERVICES_ANSWERED: each would be a chart or a list of its own. */
  leftOut: string[];
  /** A forecast or logs question that names no service, in a thread about none: what to ask instead. */
  whichService?: string;
}

/**
 * The `/aiops` commands a question asks for in words: a forecast ("how many replicas will
 * order-service need tomorrow?"), a service's log templates ("what is payment logging?"), the
 * trends ("how is checkout doing compared to last week?"), the open incidents ("what's
 * firing?") or the incident history ("how many incidents did we have last week?"). None for
 * any other question, which is investigated; the catalogue and the change record answer first, as
 * in `investigate` ("who owns payment's logs?" is about an owner). Pure: `now` dates "tomorrow".
 */
export function commandsInQuestion(catalogue: Catalogue, question: string, threadServices: readonly string[], now: number): CommandsInQuestion {
  const none: CommandsInQuestion = { commands: [], leftOut: [] };
  if (catalogueQuestion(catalogue, question, threadServices) || changesQuestion(catalogue, question, threadServices, now)) return none;
  const example = Object.keys(catalogue.services)[0] ?? 'order-service';
  // A name the catalogue lacks is left to the investigation, which says so and what it may mean.
  const unnamed = (what: string) => (unknownServicesInQuestion(catalogue, question).length > 0 ? none : { ...none, whichService: `Which service? ${what}` });
  const capacity = capacityQuestion(catalogue, question, threadServices, now);
  if (capacity?.services.length === 0) return unnamed(`Name a catalogued one, e.g. "how many replicas will ${example} need tomorrow?"`);
  if (capacity) return firstFew(capacity.services, (service): QuestionCommand => ({ kind: 'forecast', service, signal: capacity.signal, horizonHours: capacity.horizonHours }));
  const logs = logsQuestion(catalogue, question, threadServices);
  if (logs?.services.length === 0) return unnamed(`Name a catalogued one, e.g. "what is ${example} logging?"`);
  if (logs) return firstFew(logs.services, (service): QuestionCommand => ({ kind: 'logs', service, minutes: logs.minutes }));
  const trends = trendsQuestion(catalogue, question, threadServices);
  if (trends) return { commands: [{ kind: 'trends', ...trends }], leftOut: [] };
  if (incidentsQuestion(catalogue, question)) return { commands: [{ kind: 'incidents' }], leftOut: [] };
  const history = historyQuestion(catalogue, question, threadServices);
  if (history) return { commands: [{ kind: 'history', ...history }], leftOut: [] };
  return none;
}

function firstFew(services: readonly string[], command: (service: string) => QuestionCommand): CommandsInQuestion {
  return { commands: services.slice(0, MAXIMUM_SERVICES_ANSWERED).map(command), leftOut: services.slice(MAXIMUM_SERVICES_ANSWERED) };
}
