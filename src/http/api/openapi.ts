import type { ApiRoute } from './api-routes.js';

type Schema = Record<string, unknown>;

const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
const text = { type: 'string' };
const time = { type: 'string', format: 'date-time' };
const severity = { type: 'string', enum: ['info', 'warning', 'critical'] };

const SCHEMAS: Record<string, Schema> = {
  Error: { type: 'object', required: ['error'], properties: { error: { ...text, description: 'One line: the field and what was expected.' } } },
  Alert: {
    type: 'object',
    properties: {
      fingerprint: text,
      name: text,
      source: { type: 'string', enum: ['alertmanager', 'detector'] },
      service: nullable(text),
      status: { type: 'string', enum: ['firing', 'resolved'] },
      severity,
      summary: text,
      startsAt: time,
      endsAt: nullable(time),
      generatorUrl: nullable({ ...text, description: "Where its source draws it (Alertmanager's generatorURL)." }),
      runbookUrl: nullable({ ...text, description: "The alert rule's runbook_url annotation." }),
    },
  },
  Incident: {
    type: 'object',
    required: ['id', 'status', 'severity', 'services', 'alerts'],
    properties: {
      id: { ...text, example: 'INC-12' },
      status: { type: 'string', enum: ['open', 'resolved'] },
      severity: { ...severity, description: 'As Slack shows it: raised by escalation rules that fired.' },
      services: { type: 'array', items: text },
      origin: nullable(text),
      flapping: { type: 'boolean' },
      firstSeen: time,
      lastSeen: time,
      resolvedAt: nullable(time),
      resolvedBy: nullable(text),
      acknowledgedBy: nullable(text),
      acknowledgedAt: nullable(time),
      mergedInto: nullable(text),
      runbooks: {
        type: 'array',
        description: "The catalogue's runbooks of the incident's services, as the Slack message links them.",
        items: { type: 'object', required: ['service', 'url'], properties: { service: text, url: text } },
      },
      alerts: { type: 'array', items: { $ref: '#/components/schemas/Alert' } },
    },
  },
  IncidentAction: {
    type: 'object',
    properties: { outcome: { type: 'string', enum: ['done', 'already'], description: 'already: done before, by this client or someone else.' }, incident: { $ref: '#/components/schemas/Incident' } },
  },
  Silence: { type: 'object', properties: { scope: text, until: time, incident: { $ref: '#/components/schemas/Incident' } } },
  Anomaly: {
    type: 'object',
    properties: { id: text, kind: text, service: text, signals: { type: 'array', items: text }, severity: text, score: { type: 'number' }, summary: text, detectedAt: time },
  },
  Change: {
    type: 'object',
    required: ['service', 'kind', 'description', 'at'],
    properties: {
      service: text,
      kind: { type: 'string', enum: ['deploy', 'rollback', 'restart', 'scale', 'config', 'feature-flag', 'event'] },
      description: text,
      at: time,
      version: nullable(text),
      origin: nullable({ ...text, description: 'The CI/CD sender (generic, github, argocd); null for what the cluster itself shows.' }),
    },
  },
  LogTemplates: {
    type: 'object',
    properties: {
      service: text,
      start: time,
      end: time,
      totalLines: { type: 'integer' },
      omitted: { type: 'integer', description: 'Templates left out (the ten with most lines are listed).' },
      templates: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            templateId: text,
            template: text,
            level: text,
            count: { type: 'integer' },
            baselineCount: { type: 'number', description: 'Lines the window would hold at the usual rate (the hour before).' },
            change: { nullable: true, oneOf: [{ type: 'string', enum: ['new'] }, { type: 'number' }], description: '"new", or count ÷ baselineCount; null when none were in the baseline.' },
            example: { ...text, description: 'One line of it, secrets redacted.' },
          },
        },
      },
    },
  },
  Service: {
    type: 'object',
    required: ['name', 'team', 'channel', 'healthy'],
    properties: {
      name: text,
      namespace: text,
      deployment: text,
      team: text,
      channel: text,
      aliases: { type: 'array', items: text },
      runbook: nullable(text),
      dependencies: { type: 'array', items: text, description: 'What it calls, directly.' },
      dependents: { type: 'array', items: text, description: 'What calls it, directly.' },
      healthy: { type: 'boolean', description: 'No anomaly in the last 30 minutes and no open incident.' },
      anomalies: { type: 'array', items: { $ref: '#/components/schemas/Anomaly' }, description: 'The last 30 minutes, newest first.' },
      openIncidents: { type: 'array', items: text, description: 'Ids of the open incidents touching it, newest first.' },
    },
  },
  Forecasts: {
    type: 'object',
    properties: {
      service: text,
      forecasts: {
        type: 'array',
        items: {
          type: 'object',
          description: 'The latest hourly forecast of one signal: peak, capacity and the replicas recommended for it.',
          properties: { signal: text, generatedAt: time, horizonHours: { type: 'number' }, model: text, current: { type: 'number' }, peak: { type: 'number' }, limit: { type: 'number' }, currentReplicas: { type: 'integer' }, recommendedReplicas: { type: 'integer' } },
        },
      },
    },
  },
  Question: {
    type: 'object',
    required: ['id', 'status'],
    properties: {
      id: text,
      question: text,
      askedBy: text,
      askedAt: time,
      status: { type: 'string', enum: ['pending', 'done', 'failed'] },
      text: { ...text, description: 'The answer as Slack shows it, once done.' },
      answer: { type: 'object', description: 'The answer as data: conclusion, suspect, evidence, candidates, suggestions.' },
      error: text,
    },
  },
  Action: {
    type: 'object',
    properties: {
      id: text,
      status: { type: 'string', enum: ['pending', 'approved', 'executing', 'done', 'failed', 'rejected', 'expired', 'void'] },
      request: { type: 'object' },
      reason: text,
      risk: text,
      rule: text,
      severity,
      incidentId: nullable(text),
      requestedBy: text,
      createdAt: time,
      expiresAt: time,
      approvals: { type: 'array', items: { type: 'object', properties: { by: text, at: time } } },
      rejection: nullable({ type: 'object', properties: { by: text, at: time } }),
      problem: nullable(text),
      execution: nullable({ type: 'object' }),
      verification: nullable({ type: 'object' }),
    },
  },
  Approval: { type: 'object', properties: { action: text, decision: { type: 'string', enum: ['waiting', 'approved', 'rejected'] }, by: nullable(text), at: nullable(time), approvalsNeeded: text } },
  AuditEntry: { type: 'object', properties: { at: time, actor: text, action: text, target: text, detail: text } },
};

interface Operation {
  summary: string;
  response: string;
  /** Query parameters beyond pagination. */
  query?: Array<{ name: string; schema: Schema; description: string }>;
  paginated?: boolean;
  /** Properties of a page beside its items and cursor. */
  pageProperties?: Record<string, Schema>;
  body?: Schema;
  status?: number;
}

const OPERATIONS: Record<string, Operation> = {
  'GET /incidents': {
    summary: 'Incidents kept (open, and resolved within the last day), newest first.',
    response: 'Incident',
    paginated: true,
    query: [
      { name: 'status', schema: { type: 'string', enum: ['open', 'resolved', 'all'], default: 'all' }, description: 'Which incidents.' },
      { name: 'service', schema: text, description: 'Only incidents touching this catalogued service.' },
    ],
  },
  'GET /incidents/{id}': { summary: 'One incident.', response: 'Incident' },
  'POST /incidents/{id}/acknowledge': { summary: 'Takes the incident on (audited as api:<client>); pages are acknowledged too.', response: 'IncidentAction' },
  'POST /incidents/{id}/resolve': { summary: 'Resolves the incident by hand (audited); pages are resolved too.', response: 'IncidentAction' },
  'POST /incidents/{id}/silence': {
    summary: 'Silences what the incident is made of for a while (audited).',
    response: 'Silence',
    body: { type: 'object', required: ['duration'], properties: { duration: { ...text, example: '2h' }, reason: { ...text, maxLength: 300 } } },
  },
  'GET /anomalies': {
    summary: 'Anomalies the detectors raised, newest first.',
    response: 'Anomaly',
    paginated: true,
    query: [
      { name: 'since', schema: { ...text, default: '1d' }, description: 'How far back, as a duration (at most 7d).' },
      { name: 'service', schema: text, description: 'Only this service.' },
    ],
  },
  'GET /changes': {
    summary: "What changed, newest first: the cluster's rollouts, restarts and scaling and the change events CI/CD sent.",
    response: 'Change',
    paginated: true,
    pageProperties: { unreadable: { type: 'array', items: text, description: 'What could not be read (the cluster for a service, its change events): the list may lack their changes.' } },
    query: [
      { name: 'since', schema: { ...text, default: '6h' }, description: 'How far back, as a duration (at most 7d).' },
      { name: 'service', schema: text, description: 'Only this service (its name or an alias).' },
    ],
  },
  'GET /services': { summary: 'The catalogued services: owner, dependencies, and whether each is healthy now.', response: 'Service', paginated: true },
  'GET /services/{service}': { summary: 'One service (its name or an alias): owner, dependencies, its recent anomalies and open incidents.', response: 'Service' },
  'GET /services/{service}/logs': {
    summary: 'What the service is logging: its top log templates over the window, against the hour before, one example each.',
    response: 'LogTemplates',
    query: [{ name: 'window', schema: { ...text, default: '15m' }, description: 'How far back, as a duration (at most 1d).' }],
  },
  'GET /services/{service}/forecast': { summary: "The service's latest capacity forecasts, one per signal.", response: 'Forecasts' },
  'POST /ask': {
    summary: 'Asks a question as in Slack; answered in the background: poll GET /ask/{id}.',
    response: 'Question',
    status: 202,
    body: { type: 'object', required: ['question'], properties: { question: { ...text, maxLength: 1000, example: 'why is order-service slow?' } } },
  },
  'GET /ask/{id}': { summary: 'A question and, once done, its answer (kept an hour).', response: 'Question' },
  'GET /actions': {
    summary: 'Remediation requests of the last 30 days, newest first.',
    response: 'Action',
    paginated: true,
    query: [{ name: 'status', schema: text, description: 'Only requests in this status.' }],
  },
  'GET /actions/{id}': { summary: 'One remediation request.', response: 'Action' },
  'GET /approvals': { summary: 'Approval decisions and requests waiting for one (approving stays in Slack).', response: 'Approval', paginated: true },
  'GET /audit': { summary: 'The audit trail, newest first.', response: 'AuditEntry', paginated: true },
};

const PAGINATION = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, description: 'Items per page.' },
  { name: 'cursor', in: 'query', schema: text, description: 'The nextCursor of the previous page.' },
];

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The OpenAPI 3.0 document for the routes given: every route must be described in OPERATIONS, or this throws at start. */
export function openApiDocument(routes: readonly ApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = OPERATIONS[`${route.method} ${route.path}`];
    if (!operation) throw new Error(`the OpenAPI document does not describe ${route.method} ${route.path}`);
    const item = $ref(operation.response);
    const schema = operation.paginated ? { type: 'object', required: ['items'], properties: { items: { type: 'array', items: item }, nextCursor: text, ...operation.pageProperties } } : item;
    const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: text }));
    const queryParameters = (operation.query ?? []).map((parameter) => ({ ...parameter, in: 'query' }));
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: operation.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)/g, (_, letter: string) => letter.toUpperCase())}`,
      security: [{ bearer: [route.scope] }],
      parameters: [...pathParameters, ...queryParameters, ...(operation.paginated ? PAGINATION : [])],
      ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: operation.body } } } } : {}),
      responses: {
        [String(operation.status ?? 200)]: { description: operation.summary, content: { 'application/json': { schema } } },
        ...(operation.body || operation.query || operation.paginated ? { '400': errorResponse('A parameter or the body is malformed: the error names it.') } : {}),
        '401': errorResponse('No token, or one not in AIOPS_API_TOKENS.'),
        '403': errorResponse(route.scope === 'write' ? 'A read token, or the API has no tokens configured.' : 'The API has no tokens configured.'),
        ...(route.path.includes('{') ? { '404': errorResponse('No such item.') } : {}),
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'aiops HTTP API', version: '1', description: 'The same incidents, answers, forecasts and actions as the Slack bot. Bearer tokens from AIOPS_API_TOKENS, scope read or write.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas: SCHEMAS, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from AIOPS_API_TOKENS; write routes need a write token.' } } },
  };
}

function $ref(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}
