import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { httpUrl, pagingSchema, type PagingSettings } from './paging-settings.js';
import { APPROVAL_RULES, FAULT_KINDS, PROPOSED_ACTIONS } from './remediation-vocabulary.js';
import { ALERT_SEVERITIES, normalizeSeverityLabel, type AlertSeverity } from './severity.js';
import { parseDuration } from './duration.js';
import { configError } from './errors.js';
import { SIGNALS, isSignal, type Signal } from './signals.js';
import { formatZodIssue } from './zod-issue.js';

/** The example catalogue describes the simulated estate; it is the default when AIOPS_CONFIG is unset. */
export const EXAMPLE_CATALOGUE_PATH = fileURLToPath(new URL('../deploy/catalogue.example.yml', import.meta.url));

/** Placeholders a query template may use; anything else in `{{ }}` is a mistake worth stopping for. */
export const TEMPLATE_PLACEHOLDERS = ['service', 'namespace', 'deployment', 'window'] as const;

const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes name (lower-case letters, digits and -)');

const queryTemplates = z
  .record(z.string(), z.string().min(1, 'expected a non-empty PromQL template'))
  .superRefine((templates, context) => {
    for (const [name, template] of Object.entries(templates)) {
      if (!isSignal(name)) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `unknown signal; expected one of ${SIGNALS.join(', ')}`,
        });
        continue;
      }
      for (const match of template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
        const placeholder = match[1] ?? '';
        if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(placeholder)) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `unknown placeholder {{${placeholder}}}; expected one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
          });
        }
      }
    }
  });

const channel = z.string().regex(/^(#[a-z0-9][a-z0-9._-]*|[CG][A-Z0-9]{8,})$/, 'expected a channel name like #orders or a channel ID like C0123ABCDEF');

const serviceSchema = z.strictObject({
  namespace: kubernetesName,
  deployment: kubernetesName,
  team: z.string().min(1, 'expected the owning team'),
  channel,
  dependencies: z.array(z.string()).default([]),
  /** Other names people use for the service in questions and commands (`db`, `postgres`, `orders`). */
  aliases: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name like db or orders')).default([]),
  /** Per-service overrides of `prometheus.queries`. */
  queries: queryTemplates.optional(),
  /** What to do when it breaks: linked from its incidents, from answers that suspect it and from "who owns it?". */
  runbook: httpUrl.optional(),
});

const elasticsearchSchema = z.strictObject({
  /** Index or index pattern holding the logs. */
  index: z.string().min(1).default('logs-*'),
  fields: z
    .strictObject({
      timestamp: z.string().min(1).default('@timestamp'),
      service: z.string().min(1).default('kubernetes.labels.app'),
      pod: z.string().min(1).default('kubernetes.pod.name'),
      level: z.string().min(1).default('log.level'),
      message: z.string().min(1).default('message'),
    })
    .prefault({}),
});

const duration = z.string().transform((text, context) => {
  const milliseconds = parseDuration(text);
  if (milliseconds === undefined) {
    context.addIssue({ code: 'custom', message: `expected a duration like 30s, 10m, 2h or 1d, got "${text}"` });
    return z.NEVER;
  }
  return milliseconds;
});

const instant = z.union([z.string(), z.date()]).transform((value, context) => {
  // YAML turns an unquoted ISO timestamp into a Date; a quoted one stays a string.
  const milliseconds = value instanceof Date ? value.getTime() : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(milliseconds)) {
    context.addIssue({ code: 'custom', message: 'expected an ISO 8601 time with a zone, like 2026-12-01T22:00:00Z' });
    return z.NEVER;
  }
  return milliseconds;
});

const severity = z.enum(ALERT_SEVERITIES as [AlertSeverity, ...AlertSeverity[]]);

const maintenanceSchema = z
  .strictObject({
    /** Catalogued services, or "all". */
    services: z.union([z.literal('all'), z.array(z.string()).min(1, 'expected at least one service, or "all"')]),
    start: instant,
    end: instant,
    reason: z.string().min(1).optional(),
  })
  .refine((window) => window.end > window.start, { message: 'expected end after start', path: ['end'] });

const escalationSchema = z
  .strictObject({
    name: z.string().min(1, 'expected a name people will read in the thread'),
    /** Applies to incidents at least this severe. */
    minimumSeverity: severity.default('info'),
    /** Applies once the incident has been open this long without an acknowledgement. */
    unacknowledgedFor: duration.optional(),
    /** Applies once the incident spans at least this many services. */
    minimumServices: z.number().int().min(2).optional(),
    /** The severity the incident is shown and paged with from then on. */
    raiseTo: severity.optional(),
    /** Who to call in the thread: a Slack mention such as <!subteam^S0123ABCD>, <@U0123ABCD> or <!here>. */
    notify: z.string().regex(/^(<[@!#][^>]+>\s*)+$/, 'expected Slack mentions like <!subteam^S0123ABCD>, <@U0123ABCD> or <!here>').optional(),
    /** Receivers under `paging.receivers` paged from then on, whatever the paging routes say. */
    page: z.array(z.string().min(1)).min(1, 'expected at least one receiver name').optional(),
  })
  .refine((rule) => rule.unacknowledgedFor !== undefined || rule.minimumServices !== undefined, {
    message: 'expected a condition: unacknowledgedFor and/or minimumServices',
  })
  .refine((rule) => rule.raiseTo !== undefined || rule.notify !== undefined || rule.page !== undefined, { message: 'expected an action: raiseTo, notify and/or page' });

/**
 * Alerts that carry every one of `sameLabels`, with equal values, belong to one incident whatever
 * their service or Alertmanager group (within the correlation window), e.g. `[cluster, node]`:
 * a node's disk, kubelet and pod alerts are one story.
 */
const correlationRuleSchema = z.strictObject({
  name: z.string().min(1, 'expected a name people will read in the merge note'),
  sameLabels: z.array(z.string().min(1, 'expected a label name')).min(1, 'expected at least one label name'),
});

const severitySpellings = z.array(z.string().trim().min(1, 'expected a non-empty spelling')).default([]);

const alertingSchema = z.strictObject({
  /**
   * The catch-all: where incidents go that name no catalogued service (an Alertmanager alert without
   * a service label). Required with Slack configured (see catchAllProblem): nothing is dropped.
   */
  defaultChannel: channel.optional(),
  /** Spellings of Alertmanager's `severity` label beyond the usual ones (see DEFAULT_SEVERITY_SYNONYMS), by the severity they mean. */
  severities: z.strictObject({ critical: severitySpellings, warning: severitySpellings, info: severitySpellings }).prefault({}),
  /** How long a new incident of each severity waits for related alerts before it is posted. */
  groupWait: z.strictObject({ info: duration.optional(), warning: duration.optional(), critical: duration.optional() }).prefault({}),
  maintenance: z.array(maintenanceSchema).default([]),
  escalation: z.array(escalationSchema).default([]),
  /** Reasons beyond the call graph to merge Alertmanager groups into one incident (see correlationRuleSchema). */
  correlation: z.array(correlationRuleSchema).default([]),
});

/** A Slack user group (S…) or a user (U… or W…): who belongs to a team, or may act everywhere. */
const slackPrincipal = z.string().regex(/^(S|U|W)[A-Z0-9]{2,}$/, 'expected a Slack user group ID like S0614TZR7 or a user ID like U012AB3CD');

const teamSchema = z.strictObject({
  /** The team's Slack user groups and users: they may silence, resolve and acknowledge its services' incidents. */
  slack: z.array(slackPrincipal).min(1, 'expected at least one Slack user group or user ID'),
});

const accessSchema = z
  .strictObject({
    /** User groups and users who may act on every incident and see everything (on-call, SRE). */
    responders: z.array(slackPrincipal).default([]),
    /** What answers, App Home and the list commands show: `team`, the asker's teams' services and the channels they are in; `everyone`, all of it. */
    visibility: z.enum(['team', 'everyone']).default('team'),
    /** The longest silence a team member may set on their services, and a responder on anything. */
    maximumSilence: z.strictObject({ member: duration.default(86_400_000), responder: duration.default(7 * 86_400_000) }).prefault({}),
  })
  .refine((access) => access.maximumSilence.member <= access.maximumSilence.responder, { message: 'expected member at most responder', path: ['maximumSilence', 'member'] });

/** First match wins; no match is `approve`. `namespaces` and `minimumSeverity` absent match everything. */
const healingPolicySchema = z.strictObject({
  action: z.union([z.enum(PROPOSED_ACTIONS), z.literal('*')]),
  namespaces: z.array(kubernetesName).min(1, 'expected at least one namespace').optional(),
  /** Applies to incidents (and answers) at least this severe. */
  minimumSeverity: severity.optional(),
  decision: z.enum(APPROVAL_RULES),
});

/** What the root-cause engine proposes for a kind of fault; `afterChange` narrows it to faults that came with a deploy or config change (true) or without one (false). */
const healingRuleSchema = z.strictObject({
  fault: z.enum(FAULT_KINDS),
  afterChange: z.boolean().optional(),
  propose: z.enum(PROPOSED_ACTIONS),
});

/** The rules when the catalogue names none: each is the step faultAdvice puts first for the fault. */
export const DEFAULT_HEALING_RULES: ReadonlyArray<z.infer<typeof healingRuleSchema>> = [
  { fault: 'bad-deploy', propose: 'rollback' },
  { fault: 'code-error', afterChange: true, propose: 'rollback' },
  { fault: 'crash-loop', afterChange: true, propose: 'rollback' },
  { fault: 'memory-leak', propose: 'rollout-restart' },
  { fault: 'connection-pool-exhaustion', propose: 'rollout-restart' },
  { fault: 'traffic-surge', propose: 'scale' },
];

const healingSchema = z
  .strictObject({
    /** Who may approve, by namespace (`"*"`: every namespace): Slack user IDs and user-group IDs. Nobody listed, nobody approves. */
    approvers: z.record(z.union([kubernetesName, z.literal('*')]), z.array(slackPrincipal)).default({}),
    policy: z.array(healingPolicySchema).default([]),
    /** Namespaces where `auto` is read as `approve` unless autoInProduction says otherwise. */
    productionNamespaces: z.array(kubernetesName).default([]),
    autoInProduction: z.boolean().default(false),
    rules: z.array(healingRuleSchema).optional(),
    /** Incidents at least this severe get the engine's proposal in their thread. */
    proposeForIncidents: severity.default('critical'),
    /** How long a request may be approved. */
    requestExpiry: duration.default(15 * 60_000),
    /** How long after an action its signals are read again. */
    verifyAfter: duration.default(5 * 60_000),
    limits: z
      .strictObject({
        /** No second action on the same deployment within this. */
        cooldown: duration.default(10 * 60_000),
        perServicePerHour: z.number().int().min(1).default(3),
        /** After this many actions of one kind on one service that did not help, that action is no longer proposed there; the thread escalates. */
        unhelpfulBeforeEscalation: z.number().int().min(1).default(2),
      })
      .prefault({}),
  })
  .superRefine((healing, context) => {
    healing.policy.forEach((rule, index) => {
      const production = (rule.namespaces ?? healing.productionNamespaces).filter((namespace) => healing.productionNamespaces.includes(namespace));
      if (rule.decision === 'auto' && production.length > 0 && !healing.autoInProduction) {
        context.addIssue({ code: 'custom', path: ['policy', index, 'decision'], message: `auto in production namespace ${production[0]}; expected approve, approve-2 or forbidden there, or autoInProduction: true` });
      }
    });
  });

/** The utilisation replicas are planned for when the catalogue says nothing. */
export const DEFAULT_TARGET_UTILISATION = 0.7;

const capacitySchema = z.strictObject({
  /** Share of a pod's CPU request (memory limit) that replica recommendations plan for: the HPA target you would set. */
  targetUtilisation: z.number().gt(0, 'expected a share above 0').max(1, 'expected a share of at most 1').default(DEFAULT_TARGET_UTILISATION),
  /** The scheduled summary: incidents, noisy alerts, actions, trends and capacity warnings. Absent, none is posted. */
  digest: z
    .strictObject({
      channel,
      every: z.enum(['day', 'week']).default('day'),
      /** Hour of the day (UTC) it is posted; weekly digests go out on Mondays. */
      hourUtc: z.number().int().min(0).max(23).default(9),
    })
    .optional(),
});

/** Names the paging section and escalation rules use must exist: a typo would page nobody, silently. */
function checkPagingNames(
  catalogue: { paging: PagingSettings; services: Record<string, unknown>; teams?: Record<string, unknown> | undefined; alerting: { escalation: ReadonlyArray<{ page?: string[] | undefined }> } },
  context: z.RefinementCtx,
): void {
  const receivers = Object.keys(catalogue.paging.receivers);
  const unknownReceiver = (name: string) => `unknown receiver "${name}"; expected one of paging.receivers: ${receivers.join(', ') || '(none defined)'}`;
  catalogue.paging.routes.forEach((route, index) => {
    if (!Object.hasOwn(catalogue.paging.receivers, route.receiver)) context.addIssue({ code: 'custom', path: ['paging', 'routes', index, 'receiver'], message: unknownReceiver(route.receiver) });
    route.services?.forEach((service, serviceIndex) => {
      if (!Object.hasOwn(catalogue.services, service)) {
        context.addIssue({ code: 'custom', path: ['paging', 'routes', index, 'services', serviceIndex], message: `unknown service "${service}"; expected one of the catalogued services` });
      }
    });
    route.teams?.forEach((team, teamIndex) => {
      if (catalogue.teams === undefined || !Object.hasOwn(catalogue.teams, team)) {
        context.addIssue({ code: 'custom', path: ['paging', 'routes', index, 'teams', teamIndex], message: `unknown team "${team}"; expected one of the teams: ${Object.keys(catalogue.teams ?? {}).join(', ') || '(none defined)'}` });
      }
    });
  });
  catalogue.alerting.escalation.forEach((rule, index) => {
    rule.page?.forEach((name, nameIndex) => {
      if (!Object.hasOwn(catalogue.paging.receivers, name)) context.addIssue({ code: 'custom', path: ['alerting', 'escalation', index, 'page', nameIndex], message: unknownReceiver(name) });
    });
  });
}

const catalogueSchema = z
  .strictObject({
    prometheus: z.strictObject({ queries: queryTemplates }),
    /** Who owns what: each service's `team` is a key here. Absent, nobody but the responders may act. */
    teams: z.record(z.string().min(1), teamSchema).optional(),
    access: accessSchema.prefault({}),
    /** Remediation: who approves, what policy asks, what the engine proposes, and the limits. */
    healing: healingSchema.prefault({}),
    /** Capacity forecasts: the utilisation replicas are planned for, and the digest. */
    capacity: capacitySchema.prefault({}),
    elasticsearch: elasticsearchSchema.prefault({}),
    alerting: alertingSchema.prefault({}),
    /** PagerDuty and Opsgenie: the receivers, and which incidents page which. */
    paging: pagingSchema.prefault({}),
    services: z.record(kubernetesName, serviceSchema).refine((services) => Object.keys(services).length > 0, {
      message: 'expected at least one service',
    }),
  })
  .superRefine((catalogue, context) => {
    const missing = SIGNALS.filter((signal) => !Object.hasOwn(catalogue.prometheus.queries, signal));
    if (missing.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['prometheus', 'queries'],
        message: `missing template for ${missing.join(', ')}; every standard signal needs one`,
      });
    }
    const severityOf = new Map<string, string>();
    // Most urgent first, as a catalogue usually lists them: the later listing is the one named.
    for (const level of [...ALERT_SEVERITIES].reverse()) {
      catalogue.alerting.severities[level].forEach((spelling, index) => {
        const earlier = severityOf.get(normalizeSeverityLabel(spelling));
        if (earlier !== undefined && earlier !== level) {
          context.addIssue({ code: 'custom', path: ['alerting', 'severities', level, index], message: `"${spelling}" is also listed under ${earlier}; a spelling means one severity` });
        }
        severityOf.set(normalizeSeverityLabel(spelling), level);
      });
    }
    catalogue.alerting.maintenance.forEach((window, index) => {
      if (window.services === 'all') return;
      window.services.forEach((service, serviceIndex) => {
        if (!Object.hasOwn(catalogue.services, service)) {
          context.addIssue({ code: 'custom', path: ['alerting', 'maintenance', index, 'services', serviceIndex], message: `unknown service "${service}"; expected one of the catalogued services` });
        }
      });
    });
    checkPagingNames(catalogue, context);
    checkAliases(catalogue.services, context);
    for (const [name, service] of Object.entries(catalogue.services)) {
      if (catalogue.teams !== undefined && !Object.hasOwn(catalogue.teams, service.team)) {
        context.addIssue({ code: 'custom', path: ['services', name, 'team'], message: `unknown team "${service.team}"; expected one of the teams: ${Object.keys(catalogue.teams).join(', ')}` });
      }
      service.dependencies.forEach((dependency, index) => {
        if (!Object.hasOwn(catalogue.services, dependency)) {
          context.addIssue({
            code: 'custom',
            path: ['services', name, 'dependencies', index],
            message: `unknown service "${dependency}"; expected one of the catalogued services`,
          });
        }
      });
    }
  });

/** An alias names one service, and no other service's name or Deployment: a typed name must mean one thing. */
function checkAliases(services: Record<string, z.infer<typeof serviceSchema>>, context: z.RefinementCtx): void {
  const aliasOf = new Map<string, string>();
  for (const [name, service] of Object.entries(services)) {
    service.aliases.forEach((alias, index) => {
      const path = ['services', name, 'aliases', index];
      const named = Object.entries(services).find(([other, entry]) => other !== name && (other === alias || entry.deployment === alias));
      if (named) context.addIssue({ code: 'custom', path, message: `"${alias}" is already the name or Deployment of service ${named[0]}; an alias means one service` });
      else if (aliasOf.has(alias) && aliasOf.get(alias) !== name) context.addIssue({ code: 'custom', path, message: `"${alias}" is also an alias of ${aliasOf.get(alias)}; an alias means one service` });
      aliasOf.set(alias, aliasOf.get(alias) ?? name);
    });
  }
}

export type CatalogueService = z.infer<typeof serviceSchema> & { name: string };
type ParsedCatalogue = z.infer<typeof catalogueSchema>;

export type Alerting = ParsedCatalogue['alerting'];
export type Access = ParsedCatalogue['access'];
export type Team = z.infer<typeof teamSchema> & { name: string };
export type HealingSettings = Omit<ParsedCatalogue['healing'], 'rules'> & { rules: ReadonlyArray<z.infer<typeof healingRuleSchema>> };
export type HealingPolicyRule = HealingSettings['policy'][number];
export type EscalationRule = Alerting['escalation'][number];
export type CorrelationRule = Alerting['correlation'][number];

export interface Catalogue {
  prometheus: { queries: Record<Signal, string> };
  elasticsearch: ParsedCatalogue['elasticsearch'];
  /** Noise controls: the catch-all channel, severity spellings, group wait, maintenance windows, escalation rules. */
  alerting: Alerting;
  /**
   * By name, without a prototype: a name typed by a user (`constructor`, `__proto__`) is never
   * found as an inherited key. Look up with catalogueService or Object.hasOwn all the same.
   */
  services: Record<string, CatalogueService>;
  /** By name, without a prototype; empty when the catalogue names no teams (then only responders may act). */
  teams: Record<string, Team>;
  /** Who may act and see beyond their teams (see accessSchema). */
  access: Access;
  healing: HealingSettings;
  /** Capacity forecasts (see capacitySchema); absent in a hand-built catalogue, the defaults hold. */
  capacity?: CapacitySettings;
  /** Who is paged (see paging-settings.ts); absent in a hand-built catalogue, nobody is. */
  paging?: PagingSettings;
}

export type CapacitySettings = z.infer<typeof capacitySchema>;

/** Parses catalogue YAML; `origin` names the file in messages. Throws AIOPS_CONFIG_INVALID with one line. */
export function parseCatalogue(text: string, origin: string): Catalogue {
  // Pretty errors are what fill in `linePos`; without them the line and column are never known.
  const document = parseDocument(text, { prettyErrors: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = syntaxError.linePos?.[0];
    const where = position ? ` at line ${position.line}, column ${position.col}` : '';
    const reason = syntaxError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
    throw configError(origin, `YAML syntax error${where}: ${reason}`);
  }
  const result = catalogueSchema.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    throw configError(origin, issue ? formatZodIssue(issue) : 'invalid catalogue');
  }
  const parsed = result.data;
  const services = withoutPrototype(Object.entries(parsed.services).map(([name, service]) => [name, { ...service, name }]));
  const teams = withoutPrototype(Object.entries(parsed.teams ?? {}).map(([name, team]) => [name, { ...team, name }]));
  return {
    prometheus: { queries: parsed.prometheus.queries as Record<Signal, string> },
    elasticsearch: parsed.elasticsearch,
    alerting: parsed.alerting,
    services,
    teams,
    access: parsed.access,
    healing: { ...parsed.healing, rules: parsed.healing.rules ?? DEFAULT_HEALING_RULES },
    capacity: parsed.capacity,
    paging: { ...parsed.paging, receivers: withoutPrototype(Object.entries(parsed.paging.receivers)) },
  };
}

/**
 * Why the catalogue cannot serve a bot that posts to Slack, or undefined. Every bot serves the
 * Alertmanager webhook, and an alert naming no catalogued service has no channel but the catch-all:
 * without one it would be accepted and posted nowhere. Without Slack nothing is posted anywhere,
 * so nothing is refused (the start says once that incidents go to the log only).
 */
export function catchAllProblem(catalogue: Catalogue, options: { slack: boolean }): string | undefined {
  if (!options.slack || catalogue.alerting.defaultChannel !== undefined) return undefined;
  return 'alerting.defaultChannel: required with Slack configured: alerts that name no catalogued service (node, cluster or probe alerts from Alertmanager) are posted there; set a catch-all channel, e.g. defaultChannel: "#ops-alerts"';
}

/**
 * One line for the start when the catalogue names no teams: then nobody but the responders may
 * silence, resolve or acknowledge (secure by default), which people should hear once, not find out
 * from a refusal during an incident. Undefined when teams are configured.
 */
export function accessWarning(catalogue: Catalogue): string | undefined {
  if (Object.keys(catalogue.teams).length > 0) return undefined;
  const who = catalogue.access.responders.length > 0 ? `only access.responders (${catalogue.access.responders.join(', ')})` : 'nobody (access.responders is empty too)';
  return `teams: not set in the catalogue, so ${who} may silence, resolve or acknowledge incidents; map each service's team to Slack user groups, e.g. teams.payments.slack: [S0614TZR7, U012AB3CD]`;
}

/** A lookup table that answers only for its own keys: no inherited `constructor` or `__proto__`. */
function withoutPrototype<Value>(entries: Iterable<readonly [string, Value]>): Record<string, Value> {
  const table = Object.create(null) as Record<string, Value>;
  for (const [key, value] of entries) table[key] = value;
  return table;
}

export function loadCatalogue(path: string): Catalogue {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw configError(`AIOPS_CONFIG (${path})`, `cannot read the catalogue: ${reason}`);
  }
  return parseCatalogue(text, `AIOPS_CONFIG (${path})`);
}

export interface TemplateValues {
  window: string;
}

/** The PromQL for one service and signal: the service's override, else the catalogue's template. */
export function renderQuery(catalogue: Catalogue, service: CatalogueService, signal: Signal, values: TemplateValues): string {
  const template = service.queries?.[signal] ?? catalogue.prometheus.queries[signal];
  const substitutions: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    service: service.name,
    namespace: service.namespace,
    deployment: service.deployment,
    window: values.window,
  };
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, placeholder: string) => substitutions[placeholder as keyof typeof substitutions]);
}

/** The catalogued service of that name; only the catalogue's own keys count (`constructor` is no service). */
export function catalogueService(catalogue: Catalogue, name: string): CatalogueService | undefined {
  return Object.hasOwn(catalogue.services, name) ? catalogue.services[name] : undefined;
}

/**
 * The service a name someone typed means: the service of that name (own keys only), else the one
 * that lists it among its aliases (in any case: aliases are lower case).
 */
export function serviceNamed(catalogue: Catalogue, typed: string): CatalogueService | undefined {
  const byName = catalogueService(catalogue, typed);
  if (byName) return byName;
  const alias = typed.toLowerCase();
  return Object.values(catalogue.services).find((service) => service.aliases.includes(alias));
}

/** Whom to bring in about a service: its team, the channel its incidents go to, and its runbook when it has one. */
export interface ServiceOwner {
  team: string;
  channel: string;
  runbook?: string;
}

/** The team that owns a catalogued service, the channel its incidents go to and its runbook. */
export function ownerOf(catalogue: Catalogue, name: string): ServiceOwner | undefined {
  const service = catalogueService(catalogue, name);
  return service ? { team: service.team, channel: service.channel, ...(service.runbook ? { runbook: service.runbook } : {}) } : undefined;
}

/** A service's runbook, as incident messages, pages and answers link it. */
export interface ServiceRunbook {
  service: string;
  url: string;
}

/** The runbooks the catalogue gives these services, in the order given; services without one are left out. */
export function runbooksOf(catalogue: Catalogue, services: readonly string[]): ServiceRunbook[] {
  return services.flatMap((service) => {
    const url = catalogueService(catalogue, service)?.runbook;
    return url ? [{ service, url }] : [];
  });
}

/** Whether a name typed by someone is a catalogued service, by own keys only. */
export function isCatalogued(catalogue: Catalogue, name: string): boolean {
  return Object.hasOwn(catalogue.services, name);
}
