import { isIP } from 'node:net';
import { z } from 'zod';
import { catchAllProblem, EXAMPLE_CATALOGUE_PATH, loadCatalogue, type Catalogue } from './catalogue.js';
import { parseApiTokens, type ApiToken } from './api-tokens.js';
import { configError } from './errors.js';
import { pagingKeyVariable } from './paging-settings.js';
import { SCENARIO_NAMES } from './scenario-names.js';
import { DEFAULT_WORKER_SETTINGS, parseQueueConcurrency, parseQueueRateLimits, parseWorkerQueues, type WorkerSettings } from './worker-queues.js';

/** The only place that reads the environment. Everything else receives a frozen Config. */

export interface SlackConfig {
  botToken: string;
  /** Required in HTTP mode, where every request is verified with it. */
  signingSecret?: string;
  /** Present: Socket Mode. Absent: the HTTP receiver on `port`. */
  appToken?: string;
  /** Override of the Web API base URL, e.g. a proxy or the test fake. */
  apiUrl?: string;
  mode: 'socket' | 'http';
}

export interface LlmConfig {
  apiKey?: string;
  baseUrl?: string;
  model: string;
}

/** A Redis Sentinel that the master's address is asked of. */
export interface RedisSentinelAddress {
  host: string;
  port: number;
}

export interface RedisSentinelConfig {
  /** REDIS_SENTINELS, in the order given: each is asked in turn until one knows the master. */
  sentinels: RedisSentinelAddress[];
  /** REDIS_SENTINEL_NAME: the master group name, as in the sentinels' `sentinel monitor <name> …`. */
  name: string;
  /** REDIS_SENTINEL_PASSWORD, for sentinels that require auth (`requirepass` in their config). */
  password?: string;
}

export interface RedisConfig {
  /**
   * REDIS_URL. With Sentinel it still gives the master's username, password, database number and
   * TLS (`rediss:`); its host and port are unused, the sentinels say where the master is.
   */
  url: string;
  /** Present: the master is found through these sentinels, again after a failover. */
  sentinel?: RedisSentinelConfig;
}

export interface Config {
  slack?: SlackConfig;
  /** HTTP port for Slack events (HTTP mode), webhooks, /healthz and /metrics. */
  port: number;
  /**
   * The address that port listens on. Default 127.0.0.1: a bot started on a laptop is not open to
   * its network; a container sets 0.0.0.0, since probes, Slack and Alertmanager come from outside it.
   */
  bindAddress: string;
  redis: RedisConfig;
  /** The same as `redis.url`, for callers that predate Sentinel: with Sentinel it is not enough to connect. */
  redisUrl: string;
  prometheusUrl?: string;
  elasticsearchUrl?: string;
  /** jaeger-query's base URL (the HTTP JSON API the Jaeger UI reads): traces for answers and the call graph. */
  jaegerUrl?: string;
  /** Kibana's base URL: answers link their log queries to Discover there. */
  kibanaUrl?: string;
  kubeconfig?: string;
  llm?: LlmConfig;
  cataloguePath: string;
  catalogue: Catalogue;
  /**
   * POST /webhooks/alertmanager requires `Authorization: Bearer <token>`. Unset, the webhook
   * refuses every delivery (403), unless alertmanagerWebhookAllowUnauthenticated opens it.
   */
  alertmanagerWebhookToken?: string;
  /**
   * True only when ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED=true and no token is set: anyone who
   * can reach the port may then raise and resolve alerts. Setting both is a configuration error.
   */
  alertmanagerWebhookAllowUnauthenticated: boolean;
  /** POST /webhooks/changes requires `Authorization: Bearer <token>`. Unset, the webhook refuses every delivery (403): it has no open mode. */
  changesWebhookToken?: string;
  /** PostgreSQL for the history (DATABASE_URL); absent, the bot keeps only what Redis keeps. */
  databaseUrl?: string;
  /** Clients of the HTTP API (`/api/v1`), from AIOPS_API_TOKENS; none, the API refuses every request but its OpenAPI document. */
  apiTokens: readonly ApiToken[];
  /** Each paging receiver's key (PagerDuty routing key, Opsgenie API key) by receiver name, from AIOPS_PAGING_KEY_<NAME>. */
  pagingKeys: Readonly<Record<string, string>>;
  /** AIOPS_DRY_RUN=true: healing does everything, Slack included, except the write (a server-side dry run stands in). */
  dryRun: boolean;
  /** Simulated world only: the fault scenario to play. */
  scenario?: string;
  /** Simulated world only: simulated seconds per real second. */
  simulationSpeed: number;
  /** Simulated time at start-up (ms since the epoch); undefined: the real time. Pins the time of day, e.g. for tests. */
  simulationStart?: number;
  /** The queues a worker process runs, and how (AIOPS_WORKER_QUEUES, AIOPS_WORKER_CONCURRENCY, AIOPS_QUEUE_RATE_LIMITS). */
  workers: WorkerSettings;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Pretty logs for people at a terminal, JSON for machines. */
  prettyLogs: boolean;
}

/** pino's levels, least severe first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .transform((value) => (value === '' ? undefined : value))
  .optional();

function url(protocols: string[]) {
  return optionalText.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}` },
  );
}

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 one (`[::1]:26379`). */
const HOST_PORT_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/;

/** REDIS_SENTINELS: a comma-separated list of host:port, each checked; the first bad entry is named. */
const sentinelList = optionalText.transform((value, context): RedisSentinelAddress[] | undefined => {
  if (value === undefined) return undefined;
  const sentinels: RedisSentinelAddress[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    const match = HOST_PORT_PATTERN.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      const got = entry === '' ? 'an empty entry' : `"${entry}"`;
      context.addIssue({ code: 'custom', message: `expected a comma-separated list of host:port (port 1 to 65535), like sentinel-0:26379,sentinel-1:26379; got ${got}` });
      return z.NEVER;
    }
    sentinels.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return sentinels;
});

const environmentSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.refine((value) => value === undefined || value.startsWith('xoxb-'), {
    message: 'expected a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine((value) => value === undefined || value.startsWith('xapp-'), {
    message: 'expected an app-level token starting with xapp-',
  }),
  SLACK_API_URL: url(['http:', 'https:']),
  PORT: optionalText.refine((value) => value === undefined || (/^\d+$/.test(value) && Number(value) <= 65535), {
    message: 'expected a port number between 0 and 65535',
  }),
  REDIS_URL: url(['redis:', 'rediss:']),
  REDIS_SENTINELS: sentinelList,
  REDIS_SENTINEL_NAME: optionalText.refine((value) => value === undefined || !/\s/.test(value), {
    message: 'expected the master group name the sentinels monitor, without spaces',
  }),
  REDIS_SENTINEL_PASSWORD: optionalText,
  PROMETHEUS_URL: url(['http:', 'https:']),
  ELASTICSEARCH_URL: url(['http:', 'https:']),
  KIBANA_URL: url(['http:', 'https:']),
  JAEGER_URL: url(['http:', 'https:']),
  KUBECONFIG: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: url(['http:', 'https:']),
  OPENAI_MODEL: optionalText,
  AIOPS_CONFIG: optionalText,
  BIND_ADDRESS: optionalText.refine((value) => value === undefined || isIP(value) !== 0, {
    message: 'expected an IP address to listen on, like 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
  }),
  ALERTMANAGER_WEBHOOK_TOKEN: optionalText.refine((value) => value === undefined || value.length >= 16, {
    message: 'expected a bearer token of at least 16 characters',
  }),
  ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED: optionalText.refine((value) => value === undefined || value === 'true' || value === 'false', {
    message: 'expected true or false',
  }),
  CHANGES_WEBHOOK_TOKEN: optionalText.refine((value) => value === undefined || value.length >= 16, {
    message: 'expected a bearer token of at least 16 characters',
  }),
  AIOPS_DRY_RUN: optionalText.refine((value) => value === undefined || value === 'true' || value === 'false', {
    message: 'expected true or false',
  }),
  // Checked against the known names here: otherwise an unknown one fails later without naming the variable.
  AIOPS_SCENARIO: optionalText.refine((value) => value === undefined || (SCENARIO_NAMES as readonly string[]).includes(value), {
    message: `expected one of ${SCENARIO_NAMES.join(', ')} (aiops sim list describes them)`,
  }),
  AIOPS_SIM_SPEED: optionalText.refine((value) => value === undefined || (Number(value) > 0 && Number(value) <= 3600), {
    message: 'expected simulated seconds per real second, a number above 0 and at most 3600',
  }),
  AIOPS_SIM_START: optionalText.refine((value) => value === undefined || (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(value) && Number.isFinite(Date.parse(value))), {
    message: 'expected an ISO 8601 time with a zone, like 2026-11-24T14:55:00Z',
  }),
  AIOPS_API_TOKENS: optionalText,
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  AIOPS_WORKER_QUEUES: optionalText,
  AIOPS_WORKER_CONCURRENCY: optionalText,
  AIOPS_QUEUE_RATE_LIMITS: optionalText,
  LOG_LEVEL: optionalText.pipe(z.enum(LOG_LEVELS).optional()),
  NODE_ENV: optionalText,
});

type Environment = Record<string, string | undefined>;

/**
 * Validates the environment and the catalogue once. A bad value throws AIOPS_CONFIG_INVALID whose
 * message is one line naming the variable (or YAML path) and what was expected.
 */
export function loadConfig(environment: Environment = process.env, options: { stdoutIsTerminal?: boolean } = {}): Readonly<Config> {
  const result = environmentSchema.safeParse(environment);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message = issue?.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : (issue?.message ?? 'invalid');
    throw configError(variable, message);
  }
  const variables = result.data;
  const workers = workerSettings(variables);
  const cataloguePath = variables.AIOPS_CONFIG ?? EXAMPLE_CATALOGUE_PATH;
  const slack = slackConfig(variables);
  const catalogue = loadCatalogue(cataloguePath);
  const catchAll = catchAllProblem(catalogue, { slack: slack !== undefined });
  if (catchAll !== undefined) throw configError(`AIOPS_CONFIG (${cataloguePath})`, catchAll);
  const allowUnauthenticated = variables.ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED === 'true';
  // Two answers to one question: which one was meant cannot be guessed, and guessing open is the costly mistake.
  if (allowUnauthenticated && variables.ALERTMANAGER_WEBHOOK_TOKEN !== undefined) {
    throw configError('ALERTMANAGER_WEBHOOK_ALLOW_UNAUTHENTICATED', 'expected unset or false while ALERTMANAGER_WEBHOOK_TOKEN is set (the token already lets Alertmanager in)');
  }
  const redis = redisConfig(variables);
  const pagingKeys = pagingKeysFor(catalogue, cataloguePath, environment);
  const config: Config = {
    slack,
    port: variables.PORT === undefined ? 3000 : Number(variables.PORT),
    bindAddress: variables.BIND_ADDRESS ?? '127.0.0.1',
    redis,
    redisUrl: redis.url,
    prometheusUrl: variables.PROMETHEUS_URL,
    elasticsearchUrl: variables.ELASTICSEARCH_URL,
    kibanaUrl: variables.KIBANA_URL,
    jaegerUrl: variables.JAEGER_URL,
    kubeconfig: variables.KUBECONFIG,
    llm: llmConfig(variables),
    cataloguePath,
    catalogue,
    alertmanagerWebhookToken: variables.ALERTMANAGER_WEBHOOK_TOKEN,
    alertmanagerWebhookAllowUnauthenticated: allowUnauthenticated,
    changesWebhookToken: variables.CHANGES_WEBHOOK_TOKEN,
    pagingKeys,
    databaseUrl: variables.DATABASE_URL,
    apiTokens: variables.AIOPS_API_TOKENS === undefined ? [] : parseApiTokens(variables.AIOPS_API_TOKENS, 'AIOPS_API_TOKENS', configError),
    dryRun: variables.AIOPS_DRY_RUN === 'true',
    scenario: variables.AIOPS_SCENARIO,
    simulationSpeed: variables.AIOPS_SIM_SPEED === undefined ? 1 : Number(variables.AIOPS_SIM_SPEED),
    simulationStart: variables.AIOPS_SIM_START === undefined ? undefined : Date.parse(variables.AIOPS_SIM_START),
    workers,
    logLevel: variables.LOG_LEVEL ?? 'info',
    prettyLogs: (options.stdoutIsTerminal ?? process.stdout.isTTY === true) && variables.NODE_ENV !== 'production',
  };
  return deepFreeze(config);
}

type Variables = z.infer<typeof environmentSchema>;

function slackConfig(variables: Variables): SlackConfig | undefined {
  const { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_APP_TOKEN: appToken } = variables;
  if (!botToken) {
    if (appToken) throw configError('SLACK_BOT_TOKEN', 'required with SLACK_APP_TOKEN (Socket Mode needs both tokens)');
    if (signingSecret) throw configError('SLACK_BOT_TOKEN', 'required with SLACK_SIGNING_SECRET (set both or neither)');
    return undefined;
  }
  if (!appToken && !signingSecret) {
    throw configError(
      'SLACK_SIGNING_SECRET',
      'required with SLACK_BOT_TOKEN in HTTP mode (requests are verified with it); or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
  return { botToken, signingSecret, appToken, apiUrl: variables.SLACK_API_URL, mode: appToken ? 'socket' : 'http' };
}

function redisConfig(variables: Variables): RedisConfig {
  const url = variables.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: name, REDIS_SENTINEL_PASSWORD: password } = variables;
  if (sentinels === undefined) {
    if (name !== undefined) throw configError('REDIS_SENTINELS', 'required with REDIS_SENTINEL_NAME (the sentinels to ask where that master is)');
    if (password !== undefined) throw configError('REDIS_SENTINELS', 'required with REDIS_SENTINEL_PASSWORD (a password for the sentinels; the master password goes in REDIS_URL)');
    return { url };
  }
  if (name === undefined) throw configError('REDIS_SENTINEL_NAME', 'required with REDIS_SENTINELS (the master group name the sentinels monitor)');
  return { url, sentinel: { sentinels, name, ...(password === undefined ? {} : { password }) } };
}

function workerSettings(variables: Variables): WorkerSettings {
  const { AIOPS_WORKER_QUEUES: queues, AIOPS_WORKER_CONCURRENCY: concurrency, AIOPS_QUEUE_RATE_LIMITS: rateLimits } = variables;
  return {
    queues: queues === undefined ? DEFAULT_WORKER_SETTINGS.queues : parseWorkerQueues(queues, 'AIOPS_WORKER_QUEUES', configError),
    concurrency: concurrency === undefined ? {} : parseQueueConcurrency(concurrency, 'AIOPS_WORKER_CONCURRENCY', configError),
    rateLimits: rateLimits === undefined ? {} : parseQueueRateLimits(rateLimits, 'AIOPS_QUEUE_RATE_LIMITS', configError),
  };
}

/** The key of every receiver the catalogue pages: a receiver without one would fail at its first page, in the middle of an incident. */
function pagingKeysFor(catalogue: Catalogue, cataloguePath: string, environment: Environment): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [name, receiver] of Object.entries(catalogue.paging?.receivers ?? {})) {
    const variable = pagingKeyVariable(name);
    const key = environment[variable]?.trim();
    if (!key) throw configError(variable, `required: the ${receiver.type === 'pagerduty' ? 'PagerDuty integration (routing) key' : 'Opsgenie API key'} of paging receiver "${name}" in ${cataloguePath}`);
    keys[name] = key;
  }
  return keys;
}

function llmConfig(variables: Variables): LlmConfig | undefined {
  if (!variables.OPENAI_API_KEY && !variables.OPENAI_BASE_URL) {
    if (variables.OPENAI_MODEL) throw configError('OPENAI_API_KEY', 'required with OPENAI_MODEL (or set OPENAI_BASE_URL for a local endpoint)');
    return undefined;
  }
  return { apiKey: variables.OPENAI_API_KEY, baseUrl: variables.OPENAI_BASE_URL, model: variables.OPENAI_MODEL ?? 'gpt-4o-mini' };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
