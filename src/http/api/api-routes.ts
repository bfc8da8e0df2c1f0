import { randomUUID } from 'node:crypto';
import { escalatedSeverity, firedRules } from '../../alerts/escalation.js';
import type { Incident } from '../../alerts/incident.js';
import { runbooksOf, serviceNamed, type Catalogue, type CatalogueService } from '../../catalogue.js';
import { suggestServices } from '../../service-suggestions.js';
import { formatDuration, parseDuration } from '../../duration.js';
import { DEFAULT_CHANGE_HOURS } from '../../investigation/changes-question.js';
import { IN_ANOMALY_MILLISECONDS } from '../../investigation/estate-status.js';
import type { ActionOutcome, Incidents } from '../../incidents/incidents.js';
import type { Logger } from '../../logger.js';
import { SIGNALS } from '../../signals.js';
import { fewUnreadable, type RecentChange } from '../../sources/recent-changes.js';
import type { Stores } from '../../state/stores.js';
import { ApiError, badRequest, notFound } from './api-error.js';
import { durationParameter, oneOf, optionalString, paginate, queryValue, requiredString } from './api-request.js';
import { actionView, anomalyView, auditView, changeView, incidentView, logTemplatesView, serviceView } from './api-views.js';

export interface ApiDependencies {
  /** The incident use cases: the same acknowledge, resolve and silence Slack's buttons call. */
  incidents: Incidents;
  stores: Pick<Stores, 'incidents' | 'acknowledgements' | 'escalations' | 'anomalies' | 'forecasts' | 'audit' | 'remediations' | 'questions' | 'minedLogs'>;
  catalogue: Catalogue;
  /** Answers a question as Slack does: its text (what Slack shows) and the answer as data. */
  ask: (question: string) => Promise<{ text: string; answer: unknown }>;
  /** What changed for these services since then, newest first: the cluster's rollouts and scaling and CI/CD's change events, as answers list them; what could not be read goes to `unreadable`. */
  changes: (services: CatalogueService[], since: number, unreadable: string[]) => Promise<RecentChange[]>;
  /** The incidents' clock. */
  now: () => number;
  /** Real time, for questions' ages. Default Date.now. */
  wallClock?: () => number;
  logger: Logger;
}

/** What a handler sees: the path's parameters, the query, the parsed body and the client. */
export interface ApiContext {
  parameters: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The token's name: the actor audited for what it does. */
  client: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  /** Under /api/v1, with `{name}` parameters, e.g. `/incidents/{id}/acknowledge`. */
  path: string;
  scope: 'read' | 'write';
  handle: (context: ApiContext) => Promise<ApiResponse>;
}

/** Anomalies and audit entries are read back at most this far. */
const LONGEST_LOOKBACK_MILLISECONDS = 7 * 86_400_000;
/** The longest log window read, as `/aiops logs` reads it. */
const LONGEST_LOG_WINDOW_MILLISECONDS = 86_400_000;
/** Remediation requests are kept 30 days. */
const ACTIONS_LOOKBACK_MILLISECONDS = 30 * 86_400_000;
/** The audit stream keeps about 10,000 entries; the API reads them all at most. */
const AUDIT_ENTRIES = 10_000;
/** A question still pending after this was lost with the replica answering it. */
const QUESTION_DEADLINE_MILLISECONDS = 10 * 60_000;
const QUESTION_CHARACTERS = 1000;

/** The API's routes, each a thin translation to a use case or a store; the same rules as Slack apply below them. */
export function apiRoutes(dependencies: ApiDependencies): ApiRoute[] {
  const { incidents, stores, catalogue, now, logger } = dependencies;
  const wallClock = dependencies.wallClock ?? Date.now;

  const shown = async (incident: Incident) => {
    const fired = firedRules(await stores.escalations.fired(incident.id), catalogue.alerting.escalation);
    return incidentView(incident, escalatedSeverity(incident, fired), await stores.acknowledgements.get(incident.id), runbooksOf(catalogue, incident.services));
  };
  const suggestion = (typed: string) => {
    const close = suggestServices(catalogue, typed);
    return close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : '';
  };
  // The service a filter means, by its name or an alias; an unknown one is a 400 rather than an empty list that looks like "no trouble".
  const serviceParameter = (typed: string | undefined) => {
    if (typed === undefined) return undefined;
    const service = serviceNamed(catalogue, typed);
    if (!service) throw badRequest('service', `expected a catalogued service, got "${typed.slice(0, 40)}"${suggestion(typed)}`);
    return service.name;
  };
  // The service a path names, by its name or an alias.
  const servicePath = (typed: string) => {
    const service = serviceNamed(catalogue, typed);
    if (!service) throw notFound(`service ${typed.slice(0, 40)}: not in the catalogue${suggestion(typed)}`);
    return service;
  };
  // One read of the anomalies and incidents for every service shown, not one per service.
  const serviceHealth = async () => {
    const [anomalies, kept] = await Promise.all([stores.anomalies.since(now() - IN_ANOMALY_MILLISECONDS), stores.incidents.all()]);
    const open = kept.filter((incident) => incident.status === 'open').sort((left, right) => right.firstSeen - left.firstSeen);
    return (service: CatalogueService) =>
      serviceView(
        service,
        catalogue,
        anomalies.filter((anomaly) => anomaly.service === service.name).sort((left, right) => right.detectedAt - left.detectedAt),
        open.filter((incident) => incident.services.includes(service.name)).map((incident) => incident.id),
      );
  };
  const incidentOrNotFound = async (id: string) => {
    const incident = await incidents.get(id);
    if (!incident) throw notFound(`incident ${id.slice(0, 40)}: not found; list them with GET /api/v1/incidents`);
    return incident;
  };
  const acted = async (outcome: ActionOutcome, id: string): Promise<ApiResponse> => {
    if (outcome.outcome === 'unknown') throw notFound(`incident ${id.slice(0, 40)}: not found; list them with GET /api/v1/incidents`);
    // Read again: the answer shows the incident after the action, as Slack's redrawn message does.
    return { status: 200, body: { outcome: outcome.outcome, incident: await shown((await incidents.get(outcome.incident.id)) ?? outcome.incident) } };
  };

  return [
    {
      method: 'GET',
      path: '/incidents',
      scope: 'read',
      handle: async ({ query }) => {
        const status = oneOf(query, 'status', ['open', 'resolved', 'all'] as const, 'all');
        const service = serviceParameter(queryValue(query, 'service'));
        const kept = (await stores.incidents.all())
          .filter((incident) => status === 'all' || incident.status === status)
          .filter((incident) => service === undefined || incident.services.includes(service))
          .sort((left, right) => right.firstSeen - left.firstSeen || right.id.localeCompare(left.id, undefined, { numeric: true }));
        const page = paginate(kept, query);
        return { status: 200, body: { ...page, items: await Promise.all(page.items.map(shown)) } };
      },
    },
    { method: 'GET', path: '/incidents/{id}', scope: 'read', handle: async ({ parameters }) => ({ status: 200, body: await shown(await incidentOrNotFound(parameters.id!)) }) },
    {
      method: 'POST',
      path: '/incidents/{id}/acknowledge',
      scope: 'write',
      handle: async ({ parameters, client }) => acted(await incidents.acknowledge(parameters.id!, `api:${client}`), parameters.id!),
    },
    {
      method: 'POST',
      path: '/incidents/{id}/resolve',
      scope: 'write',
      handle: async ({ parameters, client }) => acted(await incidents.resolve(parameters.id!, `api:${client}`), parameters.id!),
    },
    {
      method: 'POST',
      path: '/incidents/{id}/silence',
      scope: 'write',
      handle: async ({ parameters, body, client }) => {
        const incident = await incidentOrNotFound(parameters.id!);
        const durationText = requiredString(body, 'duration', 20);
        const duration = parseDuration(durationText);
        const longest = catalogue.access.maximumSilence.responder;
        if (duration === undefined || duration <= 0 || duration > longest) throw badRequest('duration', `expected a duration like 30m, 2h or 1d, at most ${formatDuration(longest)}`);
        const reason = optionalString(body, 'reason', 300);
        const outcome = await incidents.silence(incident.id, duration, `api:${client}`, reason);
        return { status: 200, body: { scope: outcome.scope, until: new Date(outcome.until).toISOString(), incident: await shown(incident) } };
      },
    },
    {
      method: 'GET',
      path: '/anomalies',
      scope: 'read',
      handle: async ({ query }) => {
        const since = now() - durationParameter(query, 'since', 86_400_000, LONGEST_LOOKBACK_MILLISECONDS);
        const service = serviceParameter(queryValue(query, 'service'));
        const anomalies = (await stores.anomalies.since(since)).filter((anomaly) => service === undefined || anomaly.service === service).sort((left, right) => right.detectedAt - left.detectedAt);
        const page = paginate(anomalies, query);
        return { status: 200, body: { ...page, items: page.items.map(anomalyView) } };
      },
    },
    {
      method: 'GET',
      path: '/changes',
      scope: 'read',
      handle: async ({ query }) => {
        const since = now() - durationParameter(query, 'since', DEFAULT_CHANGE_HOURS * 3_600_000, LONGEST_LOOKBACK_MILLISECONDS);
        const service = serviceParameter(queryValue(query, 'service'));
        const services = service === undefined ? Object.values(catalogue.services) : [catalogue.services[service]!];
        const unreadable: string[] = [];
        const page = paginate(await dependencies.changes(services, since, unreadable), query);
        // A list with holes must not pass for a complete one: an unreadable cluster is said, not taken for "nothing changed".
        return { status: 200, body: { ...page, items: page.items.map(changeView), ...(unreadable.length > 0 ? { unreadable: fewUnreadable(unreadable) } : {}) } };
      },
    },
    {
      method: 'GET',
      path: '/services',
      scope: 'read',
      handle: async ({ query }) => {
        const health = await serviceHealth();
        const page = paginate(Object.values(catalogue.services), query);
        return { status: 200, body: { ...page, items: page.items.map(health) } };
      },
    },
    {
      method: 'GET',
      path: '/services/{service}',
      scope: 'read',
      handle: async ({ parameters }) => {
        const service = servicePath(parameters.service!);
        return { status: 200, body: (await serviceHealth())(service) };
      },
    },
    {
      method: 'GET',
      path: '/services/{service}/logs',
      scope: 'read',
      handle: async ({ parameters, query }) => {
        const service = servicePath(parameters.service!);
        const minutes = durationParameter(query, 'window', 15 * 60_000, LONGEST_LOG_WINDOW_MILLISECONDS) / 60_000;
        if (!Number.isInteger(minutes)) throw badRequest('window', 'expected whole minutes, like 15m, 2h or 1d');
        return { status: 200, body: logTemplatesView(await stores.minedLogs.templateSummary(service.name, { now: now(), minutes })) };
      },
    },
    {
      method: 'GET',
      path: '/services/{service}/forecast',
      scope: 'read',
      handle: async ({ parameters }) => {
        const service = servicePath(parameters.service!);
        const forecasts = await stores.forecasts.many([service.name], SIGNALS);
        // The hourly forecast job fills these; none yet is an answer, not an error.
        return { status: 200, body: { service: service.name, forecasts: forecasts.map((forecast) => ({ ...forecast, generatedAt: new Date(forecast.generatedAt).toISOString() })) } };
      },
    },
    {
      method: 'POST',
      path: '/ask',
      scope: 'write',
      handle: async ({ body, client }) => {
        const question = requiredString(body, 'question', QUESTION_CHARACTERS);
        const id = randomUUID();
        const asked = { id, question, askedBy: client, askedAt: wallClock() };
        await stores.questions.save({ ...asked, status: 'pending' });
        // Answered here, in the background; the client polls GET /ask/{id}, which any replica answers from Redis.
        void dependencies
          .ask(question)
          .then(({ text, answer }) => stores.questions.save({ ...asked, status: 'done', text, answer }))
          .catch((error: unknown) => {
            logger.warn({ question: id, error: (error as Error).message }, 'API question not answered');
            return stores.questions.save({ ...asked, status: 'failed', error: 'the investigation failed; see the bot log' });
          })
          .catch(() => undefined);
        return { status: 202, body: { id, status: 'pending' }, headers: { location: `/api/v1/ask/${id}` } };
      },
    },
    {
      method: 'GET',
      path: '/ask/{id}',
      scope: 'read',
      handle: async ({ parameters }) => {
        const question = await stores.questions.get(parameters.id!);
        if (!question) throw notFound(`question ${parameters.id!.slice(0, 40)}: not found (answers are kept an hour)`);
        if (question.status === 'pending' && wallClock() - question.askedAt > QUESTION_DEADLINE_MILLISECONDS) {
          return { status: 200, body: { ...question, askedAt: new Date(question.askedAt).toISOString(), status: 'failed', error: 'not answered within 10 minutes (the replica answering it may have stopped); ask again' } };
        }
        return { status: 200, body: { ...question, askedAt: new Date(question.askedAt).toISOString() } };
      },
    },
    {
      method: 'GET',
      path: '/actions',
      scope: 'read',
      handle: async ({ query }) => {
        const status = queryValue(query, 'status');
        const records = (await stores.remediations.recent(wallClock() - ACTIONS_LOOKBACK_MILLISECONDS)).filter((record) => status === undefined || record.status === status);
        const page = paginate(records, query);
        return { status: 200, body: { ...page, items: page.items.map(actionView) } };
      },
    },
    {
      method: 'GET',
      path: '/actions/{id}',
      scope: 'read',
      handle: async ({ parameters }) => {
        const found = await stores.remediations.get(parameters.id!);
        if (!found) throw notFound(`action ${parameters.id!.slice(0, 40)}: not found`);
        return { status: 200, body: actionView(found.record) };
      },
    },
    {
      method: 'GET',
      path: '/approvals',
      scope: 'read',
      handle: async ({ query }) => {
        // Approving stays in Slack, bound to the catalogue's approvers: the API shows what waits and who decided.
        const records = await stores.remediations.recent(wallClock() - ACTIONS_LOOKBACK_MILLISECONDS);
        const decisions = records
          .flatMap((record) => [
            ...(record.status === 'pending' ? [{ action: record.id, decision: 'waiting', by: null, at: null, approvalsNeeded: record.rule }] : []),
            ...record.approvals.map((approval) => ({ action: record.id, decision: 'approved', by: approval.by, at: new Date(approval.at).toISOString(), approvalsNeeded: record.rule })),
            ...(record.rejection ? [{ action: record.id, decision: 'rejected', by: record.rejection.by, at: new Date(record.rejection.at).toISOString(), approvalsNeeded: record.rule }] : []),
          ]);
        return { status: 200, body: paginate(decisions, query) };
      },
    },
    {
      method: 'GET',
      path: '/audit',
      scope: 'read',
      handle: async ({ query }) => {
        const page = paginate(await stores.audit.recent(AUDIT_ENTRIES), query);
        return { status: 200, body: { ...page, items: page.items.map(auditView) } };
      },
    },
  ];
}

/** Thrown by a route for a method the path does not take. */
export function methodNotAllowed(allowed: readonly string[]): ApiError {
  return new ApiError(405, `method: expected ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
}
