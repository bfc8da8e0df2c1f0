import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseAllDocuments, parseDocument, stringify } from 'yaml';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { startHealthServer, type RunningServer } from '../../src/http/health-server.js';
import { parseAiopsCommand } from '../../src/slack/aiops-command.js';
import { AIOPS_SUBCOMMANDS } from '../../src/slack/blocks/help-message.js';
import { Metrics } from '../../src/telemetry/metrics.js';

/**
 * The deployment files and the Slack manifest, checked for what a user would notice going wrong:
 * a missing command or event, a scope nobody can explain or nothing uses, a subcommand the bot
 * refuses, a bot that cannot reach Redis, RBAC wider than what the code reads, a probe or scrape
 * of a path the bot does not serve, an image running as root or without a health check, a chart
 * whose settings the bot does not read.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asStrings = (value: unknown): string[] => asArray(value).map(String);

/** The variable names src/config.ts validates: the keys of its environment schema. */
function configVariables(): Set<string> {
  const source = read('src/config.ts');
  const start = source.indexOf('const environmentSchema = z.object({');
  const end = source.indexOf('\n});', start);
  expect(start, 'src/config.ts: environmentSchema not found').toBeGreaterThan(-1);
  const block = source.slice(start, end);
  return new Set([...block.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] ?? ''));
}

const SECRET_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'OPENAI_API_KEY'];

function yamlFilesUnder(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      // Helm templates are Go templates, not YAML, until rendered.
      if (entry.name !== 'templates') files.push(...yamlFilesUnder(path));
    } else if (/\.ya?ml$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

/** The bot scopes each Slack Web API method needs (api.slack.com/methods); a method the code calls but this lacks fails the scope test. */
const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'views.publish': [],
  'views.open': [],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.list': ['channels:read', 'groups:read'],
  'conversations.info': ['channels:read', 'groups:read'],
  'conversations.members': ['channels:read', 'groups:read'],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
  'files.uploadV2': ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'reactions.add': ['reactions:write'],
};

/** The bot scopes each subscribed event needs. */
const EVENT_SCOPES: Record<string, string[]> = {
  app_mention: ['app_mentions:read'],
  'message.im': ['im:history'],
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  app_home_opened: [],
};

/** Slack Web API method families (Kubernetes' `apps.` and the like are not among them). */
const SLACK_FAMILIES = 'auth|chat|views|conversations|users|files|reactions|pins|bookmarks|usergroups|team|dnd|reminders|search|bots|emoji|dialog|stars|calls|canvases|assistant';

/** Every Slack Web API method src/ calls: `client.chat.postMessage(`, `filesUploadV2(`, `apiCall('…'`. */
function slackMethodsCalled(directory = 'src'): string[] {
  const methods = new Set<string>();
  for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      for (const method of slackMethodsCalled(path)) methods.add(method);
      continue;
    }
    if (!entry.name.endsWith('.ts')) continue;
    const source = read(path);
    for (const match of source.matchAll(new RegExp(`\\.(${SLACK_FAMILIES})\\.([a-zA-Z]+(?:\\.[a-zA-Z]+)*)\\(`, 'g'))) methods.add(`${match[1]}.${match[2]}`);
    if (/\bfilesUploadV2\(/.test(source)) methods.add('files.uploadV2');
    for (const match of source.matchAll(/\bapiCall\(\s*['"]([a-zA-Z.]+)['"]/g)) methods.add(match[1] ?? '');
  }
  return [...methods].sort();
}

describe('config variable names', () => {
  it('are read from src/config.ts', () => {
    const names = configVariables();
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'REDIS_URL', 'PORT', 'AIOPS_CONFIG', 'LOG_LEVEL']) {
      expect(names, name).toContain(name);
    }
  });
});

describe('every YAML file', () => {
  const files = ['manifest.yml', ...yamlFilesUnder('deploy')];

  it('includes the manifest, compose file, RBAC and chart', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'manifest.yml',
        'deploy/docker-compose.yml',
        'deploy/rbac.yaml',
        'deploy/helm/aiops/Chart.yaml',
        'deploy/helm/aiops/values.yaml',
      ]),
    );
  });

  it.each(files)('%s parses without errors or warnings', (file) => {
    for (const document of parseAllDocuments(read(file), { merge: true })) {
      expect(document.errors.map((error) => error.message), file).toEqual([]);
      expect(document.warnings.map((warning) => warning.message), file).toEqual([]);
    }
  });
});

describe('manifest.yml (Slack app)', () => {
  const text = read('manifest.yml');
  const manifest = asObject(parse(text));
  const features = asObject(manifest.features);
  const settings = asObject(manifest.settings);
  const scopes = asStrings(asObject(asObject(manifest.oauth_config).scopes).bot);

  it('is a version 1 manifest with a display name and an always-online bot user', () => {
    expect(asObject(manifest._metadata).major_version).toBe(1);
    expect(asObject(manifest.display_information).name).toMatch(/\S/);
    expect(String(asObject(manifest.display_information).name).length).toBeLessThanOrEqual(35);
    expect(asObject(features.bot_user).always_online).toBe(true);
    expect(asObject(features.bot_user).display_name).toMatch(/\S/);
  });

  it('has the /aiops slash command, unescaped, with a usage hint naming exactly the subcommands /aiops help lists', () => {
    const commands = asArray(features.slash_commands).map(asObject);
    const aiops = commands.find((command) => command.command === '/aiops');
    expect(aiops, '/aiops slash command').toBeDefined();
    expect(aiops?.should_escape).toBe(false);
    expect(String(aiops?.description ?? '')).toMatch(/\S/);
    const hinted = String(aiops?.usage_hint).replace(/\.\.\.\s*$/, '').split('|').map((word) => word.trim());
    expect(hinted).toEqual(AIOPS_SUBCOMMANDS.map((subcommand) => subcommand.name));
  });

  it('hints only subcommands the parser accepts', () => {
    const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
    const commands = asArray(features.slash_commands).map(asObject);
    const hint = String(commands.find((command) => command.command === '/aiops')?.usage_hint);
    for (const word of hint.replace(/\.\.\.\s*$/, '').split('|').map((part) => part.trim())) {
      const parsed = parseAiopsCommand(word, catalogue);
      expect(parsed.kind === 'invalid' ? parsed.problem : '', `/aiops ${word}`).not.toMatch(/^Unknown subcommand/);
      const example = AIOPS_SUBCOMMANDS.find((subcommand) => subcommand.name === word)?.example ?? '';
      expect(parseAiopsCommand(example.replace(/^\/aiops\s*/, ''), catalogue).kind, example).toBe(word);
    }
  });

  it('describes what is built, forecasts included, and says nothing is planned that is built', () => {
    const display = asObject(manifest.display_information);
    const slash = asArray(features.slash_commands).map(asObject)[0] ?? {};
    expect(String(slash.usage_hint)).toMatch(/\bforecast\b/);
    const long = String(display.long_description);
    expect(long).toContain('/aiops forecast order-service 24h');
    expect(long).not.toMatch(/not built yet/i);
    // Slack's limits for the long description.
    expect(long.length).toBeGreaterThanOrEqual(175);
    expect(long.length).toBeLessThanOrEqual(4000);
  });

  it('subscribes to mentions, DMs and App Home opens', () => {
    const events = asStrings(asObject(settings.event_subscriptions).bot_events);
    expect(events).toEqual(expect.arrayContaining(['app_mention', 'message.im', 'app_home_opened']));
  });

  it('uses Socket Mode with interactivity, so no request URL is needed', () => {
    expect(settings.socket_mode_enabled).toBe(true);
    expect(asObject(settings.interactivity).is_enabled).toBe(true);
    expect(settings.org_deploy_enabled).toBe(false);
    expect(settings.token_rotation_enabled).toBe(false);
    expect(text).not.toMatch(/^\s*(request_url|url):/m);
  });

  it('enables the Home tab and a writable Messages tab', () => {
    expect(features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('asks for the scopes its features need and nothing broad', () => {
    // app_mention -> app_mentions:read, message.im -> im:history, /aiops -> commands,
    // incident messages -> chat:write; finding an incident message a crashed bot posted but did
    // not record -> channels/groups:history and :read (only channels the bot was invited to: it
    // has no chat:write.public and joins nothing itself).
    expect(scopes).toEqual(expect.arrayContaining(['app_mentions:read', 'im:history', 'commands', 'chat:write', 'channels:history', 'groups:history']));
    expect(new Set(scopes).size).toBe(scopes.length);
    for (const scope of scopes) {
      expect(scope, 'no admin, user-reading, joining or group-DM-reading scopes').not.toMatch(/^(admin|mpim:history|users:read\.email|channels:join|chat:write\.public)/);
    }
  });

  it('asks for exactly the scopes of the Web API methods src/ calls, the events it subscribes to and its slash command', () => {
    const called = slackMethodsCalled();
    expect(called, 'the code posts messages').toContain('chat.postMessage');
    const unknown = called.filter((method) => !(method in METHOD_SCOPES));
    expect(unknown, 'add these methods and their scopes to METHOD_SCOPES').toEqual([]);
    const events = asStrings(asObject(settings.event_subscriptions).bot_events);
    const unknownEvents = events.filter((event) => !(event in EVENT_SCOPES));
    expect(unknownEvents, 'add these events and their scopes to EVENT_SCOPES').toEqual([]);
    const needed = new Set([
      ...called.flatMap((method) => METHOD_SCOPES[method] ?? []),
      ...events.flatMap((event) => EVENT_SCOPES[event] ?? []),
      ...(asArray(features.slash_commands).length > 0 ? ['commands'] : []),
    ]);
    expect([...scopes].sort()).toEqual([...needed].sort());
  });

  it('justifies every bot scope with a comment', () => {
    const document = parseDocument(text);
    const node = document.getIn(['oauth_config', 'scopes', 'bot'], true);
    expect(isSeq(node)).toBe(true);
    if (!isSeq(node)) return;
    expect(node.items.length).toBe(scopes.length);
    for (const item of node.items) {
      expect(isScalar(item)).toBe(true);
      if (!isScalar(item)) continue;
      const comment = `${item.comment ?? ''} ${item.commentBefore ?? ''}`.trim();
      expect(comment.length, `scope ${String(item.value)} needs a comment saying why`).toBeGreaterThan(10);
    }
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = asObject(parse(read('deploy/docker-compose.yml'), { merge: true }));
  const services = asObject(compose.services);
  const bot = asObject(services.bot);
  const worker = asObject(services.worker);
  const environment = (service: Json) => asObject(service.environment);

  it('runs Redis with a health check and no eviction of BullMQ jobs', () => {
    const redis = asObject(services.redis);
    expect(String(redis.image)).toMatch(/^redis:/);
    expect(asArray(asObject(redis.healthcheck).test).join(' ')).toContain('ping');
    expect(asStrings(redis.command).join(' ')).toContain('noeviction');
  });

  it('runs the bot (aiops start) with REDIS_URL pointing at the redis service', () => {
    expect(asStrings(bot.command)).toEqual(['start']);
    const redisUrl = new URL(String(environment(bot).REDIS_URL));
    expect(redisUrl.protocol).toBe('redis:');
    expect(Object.keys(services)).toContain(redisUrl.hostname);
    expect(String(asObject(services[redisUrl.hostname]).image)).toMatch(/^redis:/);
    expect(asObject(asObject(bot.depends_on).redis).condition).toBe('service_healthy');
  });

  it('says it needs Compose v2 where it uses what Compose v1 rejects (the top-level name:)', () => {
    if (!('name' in compose)) return;
    const header = read('deploy/docker-compose.yml').split('\n').filter((line) => line.startsWith('#')).join('\n');
    expect(header).toMatch(/Compose v2/);
  });

  it('checks the bot on /healthz and publishes port 3000', () => {
    expect(asArray(asObject(bot.healthcheck).test).join(' ')).toContain('/healthz');
    expect(asStrings(bot.ports).some((port) => port.endsWith(':3000'))).toBe(true);
  });

  it('has an optional worker service (aiops worker) from the same image, scaled by replicas', () => {
    expect(asStrings(worker.command)).toEqual(['worker']);
    expect(worker.image).toBe(bot.image);
    expect(asStrings(worker.profiles)).toContain('workers');
    expect(String(asObject(worker.deploy).replicas)).toMatch(/\S/);
    expect(environment(worker).REDIS_URL).toBe(environment(bot).REDIS_URL);
  });

  it('takes Slack and LLM settings from a .env file, not from the compose file', () => {
    expect([bot.env_file].flat()).toContain('.env');
    for (const service of [bot, worker]) {
      for (const name of SECRET_VARIABLES) expect(Object.keys(environment(service))).not.toContain(name);
    }
  });

  it('sets only variables the bot reads, and so does deploy/.env.example', () => {
    const names = configVariables();
    for (const service of [bot, worker]) {
      for (const name of Object.keys(environment(service))) expect(names, `compose sets ${name}`).toContain(name);
    }
    const example = read('deploy/.env.example');
    const exampleNames = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] ?? '');
    expect(exampleNames).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'OPENAI_API_KEY']));
    for (const name of exampleNames) expect(names, `.env.example sets ${name}`).toContain(name);
  });
});

/**
 * What the read-only account (the bot's, and the workers' without healing) may do in a watched
 * namespace: read the workloads the code reads, and nothing more.
 */
const ALLOWED_VERBS: Record<string, string[]> = {
  'apps/deployments': ['get', 'list', 'watch'],
  'apps/replicasets': ['get', 'list', 'watch'],
  '/pods': ['get', 'list', 'watch'],
  '/events': ['get', 'list', 'watch'],
  // Listed, not read by name: the HPA of a deployment is found by its scale target.
  'autoscaling/horizontalpodautoscalers': ['list'],
};

/**
 * What the executor role (the workers', with healing) grants, exactly: the writes of the four
 * fixes (restart and roll back patch the deployment, scale patches its scale subresource, delete
 * pod deletes) and the reads that re-read their targets (the deployment, its ReplicaSets, its pods,
 * the HorizontalPodAutoscaler whose range a scale must stay in).
 */
const EXECUTOR_VERBS: Record<string, string[]> = {
  'apps/deployments': ['get', 'patch'],
  'apps/deployments/scale': ['patch'],
  'apps/replicasets': ['list'],
  '/pods': ['delete', 'list'],
  'autoscaling/horizontalpodautoscalers': ['list'],
};

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Verbs no rule may hold: they create objects, or let an account grant or borrow more than it has. */
const FORBIDDEN_VERBS = ['create', 'update', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];

/** The resource and verb of each client-node call src/sources/kubernetes makes; a new call fails the test until it is listed. */
const KUBERNETES_CALLS: Record<string, [resource: string, verb: string]> = {
  listNamespacedDeployment: ['apps/deployments', 'list'],
  readNamespacedDeployment: ['apps/deployments', 'get'],
  listNamespacedReplicaSet: ['apps/replicasets', 'list'],
  listNamespacedPod: ['/pods', 'list'],
  listNamespacedEvent: ['/events', 'list'],
  patchNamespacedDeployment: ['apps/deployments', 'patch'],
  patchNamespacedDeploymentScale: ['apps/deployments/scale', 'patch'],
  deleteNamespacedPod: ['/pods', 'delete'],
  listNamespacedHorizontalPodAutoscaler: ['autoscaling/horizontalpodautoscalers', 'list'],
};

/** The client-node methods src/sources/kubernetes calls: `this.apps.listNamespacedDeployment(`, `this.core.deleteNamespacedPod(`, `this.autoscaling.…(`. */
function kubernetesCallsOfCode(): string[] {
  const directory = 'src/sources/kubernetes';
  const calls = new Set<string>();
  for (const file of readdirSync(join(root, directory)).filter((name) => name.endsWith('.ts'))) {
    for (const match of read(join(directory, file)).matchAll(/\bthis\.(?:apps|core|autoscaling)\.([a-zA-Z]+)\(/g)) calls.add(match[1] ?? '');
  }
  return [...calls].sort();
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** `group/resource` -> verbs, from rules. */
function grants(rules: Rule[]): Map<string, Set<string>> {
  const granted = new Map<string, Set<string>>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = `${group}/${resource}`;
        const verbs = granted.get(key) ?? new Set<string>();
        for (const verb of rule.verbs ?? []) verbs.add(verb);
        granted.set(key, verbs);
      }
    }
  }
  return granted;
}

/** Grants as a plain object with sorted verbs, to compare with toEqual. */
function grantsObject(rules: Rule[]): Record<string, string[]> {
  return Object.fromEntries([...grants(rules)].map(([resource, verbs]) => [resource, [...verbs].sort()]));
}

function writesOf(rules: Rule[]): string[] {
  return [...grants(rules)].flatMap(([resource, verbs]) => [...verbs].filter((verb) => !READ_VERBS.has(verb)).map((verb) => `${verb} ${resource}`)).sort();
}

/** No wildcards, non-resource URLs, Secrets or verbs that create or escalate, in any rule. */
function expectNothingBroad(rules: Rule[], where: string) {
  expect(rules.length, where).toBeGreaterThan(0);
  for (const rule of rules) {
    const fields = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? [])];
    expect(fields, `${where}: no wildcards`).not.toContain('*');
    expect(rule.nonResourceURLs, `${where}: no non-resource URLs`).toBeUndefined();
    for (const resource of rule.resources ?? []) expect(resource, `${where}: nothing on Secrets`).not.toMatch(/secret/i);
    for (const verb of rule.verbs ?? []) expect(FORBIDDEN_VERBS, `${where}: ${verb} on ${(rule.resources ?? []).join(', ')}`).not.toContain(verb);
  }
}

/** Only what ALLOWED_VERBS lists: reads of the workloads the code reads. */
function expectReadOnly(rules: Rule[], where: string) {
  expectNothingBroad(rules, where);
  for (const rule of rules) {
    for (const verb of rule.verbs ?? []) expect(READ_VERBS.has(verb), `${where}: write verb ${verb} on ${(rule.resources ?? []).join(', ')}`).toBe(true);
  }
  for (const [resource, verbs] of grants(rules)) {
    const allowed = ALLOWED_VERBS[resource];
    expect(allowed, `${where}: ${resource} is not something the bot reads`).toBeDefined();
    for (const verb of verbs) expect(allowed, `${where}: ${verb} on ${resource}`).toContain(verb);
  }
}

/** Kubernetes objects, as parsed manifests, and what their RBAC grants each ServiceAccount. */
class Objects {
  constructor(readonly all: Json[]) {}

  static parse(text: string): Objects {
    return new Objects(parseAllDocuments(text).map((document) => asObject(document.toJS())).filter((object) => Object.keys(object).length > 0));
  }

  byKind(kind: string): Json[] {
    return this.all.filter((object) => object.kind === kind);
  }

  named(kind: string, name: string): Json | undefined {
    return this.byKind(kind).find((object) => asObject(object.metadata).name === name);
  }

  get roles(): Json[] {
    return [...this.byKind('ClusterRole'), ...this.byKind('Role')];
  }

  get bindings(): Json[] {
    return [...this.byKind('ClusterRoleBinding'), ...this.byKind('RoleBinding')];
  }

  rulesOf(role: Json | undefined): Rule[] {
    return asArray(role?.rules) as Rule[];
  }

  /** The role a binding refers to (undefined when it is not among the objects). */
  roleOf(binding: Json): Json | undefined {
    const reference = asObject(binding.roleRef);
    return this.named(String(reference.kind), String(reference.name));
  }

  /** The bindings whose subjects include the ServiceAccount. */
  bindingsOf(account: Json): Json[] {
    const { name, namespace } = asObject(account.metadata);
    return this.bindings.filter((binding) =>
      asArray(binding.subjects).map(asObject).some((subject) => subject.kind === 'ServiceAccount' && subject.name === name && subject.namespace === namespace),
    );
  }

  /** Every rule bound to the ServiceAccount, wherever. */
  rulesFor(account: Json): Rule[] {
    return this.bindingsOf(account).flatMap((binding) => this.rulesOf(this.roleOf(binding)));
  }

  /** Where the ServiceAccount may write: the namespaces of bindings to roles with write verbs, or `cluster-wide`. */
  writeScopes(account: Json): string[] {
    return this.bindingsOf(account)
      .filter((binding) => writesOf(this.rulesOf(this.roleOf(binding))).length > 0)
      .map((binding) => (binding.kind === 'ClusterRoleBinding' ? 'cluster-wide' : String(asObject(binding.metadata).namespace)))
      .sort();
  }

  /** Every binding names a role and ServiceAccounts that are among the objects. */
  expectBindingsResolve(where: string) {
    for (const binding of this.bindings) {
      const name = `${where}: ${String(binding.kind)} ${String(asObject(binding.metadata).name)}`;
      expect(this.roleOf(binding), `${name}: its role`).toBeDefined();
      expect(asObject(binding.roleRef).apiGroup, name).toBe('rbac.authorization.k8s.io');
      const subjects = asArray(binding.subjects).map(asObject);
      expect(subjects.length, name).toBeGreaterThan(0);
      for (const subject of subjects) {
        expect(subject.kind, name).toBe('ServiceAccount');
        const account = this.named('ServiceAccount', String(subject.name));
        expect(account, `${name}: ServiceAccount ${String(subject.name)}`).toBeDefined();
        expect(asObject(account?.metadata).namespace ?? subject.namespace, name).toBe(subject.namespace);
      }
    }
  }
}

/** The comments above each rule of a role in a YAML text: every rule must say which feature needs it. */
function expectRulesCommented(rules: ReturnType<typeof parseDocument>['contents'], where: string) {
  expect(isSeq(rules), where).toBe(true);
  if (!isSeq(rules)) return;
  rules.items.forEach((item, index) => {
    expect(isMap(item)).toBe(true);
    if (!isMap(item)) return;
    // The parser hangs the comment above the first item on the sequence itself.
    const comment = item.commentBefore ?? (index === 0 ? rules.commentBefore : undefined);
    expect(String(comment ?? '').trim().length, `${where}: ${JSON.stringify(item.toJSON())}`).toBeGreaterThan(10);
  });
}

describe('what the code does to the cluster', () => {
  const calls = kubernetesCallsOfCode();
  const known = calls.filter((call) => call in KUBERNETES_CALLS);
  const resourceVerbs = (names: string[]) => names.map((call) => (KUBERNETES_CALLS[call] ?? ['', '']).join(' '));

  it('is known: every client-node call src/sources/kubernetes makes has its resource and verb here', () => {
    expect(calls, 'the code lists deployments').toContain('listNamespacedDeployment');
    expect(calls.filter((call) => !(call in KUBERNETES_CALLS)), 'add these calls to KUBERNETES_CALLS').toEqual([]);
  });

  it('reads only what the read-only role grants', () => {
    for (const entry of resourceVerbs(known)) {
      const [resource = '', verb = ''] = entry.split(' ');
      if (!READ_VERBS.has(verb)) continue;
      expect(ALLOWED_VERBS[resource], entry).toContain(verb);
    }
  });

  it('writes exactly what the executor role grants: patch deployments and deployments/scale, delete pods', () => {
    const written = resourceVerbs(known)
      .map((entry) => entry.split(' '))
      .filter(([, verb]) => !READ_VERBS.has(verb ?? ''))
      .map(([resource, verb]) => `${verb} ${resource}`);
    expect([...new Set(written)].sort()).toEqual(writesOf(asArray(parse(read('deploy/helm/aiops/files/rbac-executor-rules.yaml'))) as Rule[]));
    expect([...new Set(written)].sort()).toEqual(['delete /pods', 'patch apps/deployments', 'patch apps/deployments/scale']);
  });
});

describe('deploy/rbac.yaml', () => {
  const text = read('deploy/rbac.yaml');
  const objects = Objects.parse(text);
  const reader = objects.named('ServiceAccount', 'aiops');
  const executor = objects.named('ServiceAccount', 'aiops-executor');
  const readRole = objects.named('ClusterRole', 'aiops');
  const executorRole = objects.named('ClusterRole', 'aiops-executor');
  const marker = /^# Healing executor \(optional\)/m;

  it('has the read-only ServiceAccount and the executor, two roles, and bindings that resolve, per namespace', () => {
    expect(reader).toBeDefined();
    expect(executor).toBeDefined();
    expect(objects.roles.map((role) => asObject(role.metadata).name)).toEqual(['aiops', 'aiops-executor']);
    expect(objects.byKind('ClusterRoleBinding'), 'bound per namespace, not cluster-wide').toHaveLength(0);
    objects.expectBindingsResolve('deploy/rbac.yaml');
  });

  it('no rule grants anything on Secrets, a wildcard, or a verb that creates or escalates', () => {
    for (const role of objects.roles) expectNothingBroad(objects.rulesOf(role), `deploy/rbac.yaml ${String(asObject(role.metadata).name)}`);
  });

  it('the read-only role grants reads of what the features read, no write verb, and says so', () => {
    expectReadOnly(objects.rulesOf(readRole), 'deploy/rbac.yaml aiops');
    expect(grantsObject(objects.rulesOf(readRole))).toEqual(ALLOWED_VERBS);
    expect(text).toMatch(/read-only/i);
  });

  it('the bot\'s account can only read', () => {
    if (!reader) return;
    expectReadOnly(objects.rulesFor(reader), 'ServiceAccount aiops');
  });

  it('the executor role grants exactly the fixes\' writes and the reads that re-read their targets', () => {
    const rules = objects.rulesOf(executorRole);
    expectNothingBroad(rules, 'deploy/rbac.yaml aiops-executor');
    expect(grantsObject(rules)).toEqual(EXECUTOR_VERBS);
    for (const rule of rules) expect(rule.resourceNames, 'whole resources, as the fixes target any catalogued deployment').toBeUndefined();
  });

  it('the executor account reads as the bot does and writes through the executor role, in the watched namespace only', () => {
    if (!executor || !reader) return;
    expect(grantsObject(objects.rulesFor(executor))).toEqual(grantsObject([...objects.rulesFor(reader), ...objects.rulesOf(executorRole)]));
    expect(objects.writeScopes(executor)).toEqual(['shop']);
    expect(objects.writeScopes(reader)).toEqual([]);
  });

  it('puts the executor last, after a marked line, so the rest applies alone, read-only', () => {
    const at = text.search(marker);
    expect(at, 'the "# Healing executor (optional)" line').toBeGreaterThan(-1);
    const before = Objects.parse(text.slice(0, at));
    const after = Objects.parse(text.slice(at));
    expect(before.all.length + after.all.length).toBe(objects.all.length);
    before.expectBindingsResolve('deploy/rbac.yaml without the executor');
    expect(JSON.stringify(before.all)).not.toMatch(/executor/);
    for (const role of before.roles) expectReadOnly(before.rulesOf(role), 'deploy/rbac.yaml without the executor');
    for (const object of after.all) {
      const subjects = asArray(object.subjects).map(asObject);
      expect(`${String(asObject(object.metadata).name)} ${subjects.map((subject) => String(subject.name)).join(' ')}`, 'only the executor\'s objects after the marker').toMatch(/executor/);
    }
  });

  it('comments every rule with the feature or fix that needs it', () => {
    for (const document of parseAllDocuments(text)) {
      if (document.get('kind') !== 'ClusterRole') continue;
      expectRulesCommented(document.get('rules', true) as ReturnType<typeof parseDocument>['contents'], `ClusterRole ${String(document.getIn(['metadata', 'name']))}`);
    }
  });

  it('has the same rules as the Helm chart, which takes them from files/ and adds none of its own', () => {
    const ruleFiles = readdirSync(join(root, 'deploy/helm/aiops/files')).filter((file) => /^rbac-.*\.ya?ml$/.test(file));
    expect(ruleFiles.sort()).toEqual(['rbac-executor-rules.yaml', 'rbac-read-rules.yaml']);
    expect(asArray(parse(read('deploy/helm/aiops/files/rbac-read-rules.yaml')))).toEqual(objects.rulesOf(readRole));
    expect(asArray(parse(read('deploy/helm/aiops/files/rbac-executor-rules.yaml')))).toEqual(objects.rulesOf(executorRole));
    for (const file of ruleFiles) expectRulesCommented(parseDocument(read(`deploy/helm/aiops/files/${file}`)).contents, file);
    const template = read('deploy/helm/aiops/templates/rbac.yaml');
    expect(template.match(/\.Files\.Get "([^"]+)"/g)).toEqual(['.Files.Get "files/rbac-read-rules.yaml"', '.Files.Get "files/rbac-executor-rules.yaml"']);
    expect(template, 'the chart template adds no rules of its own').not.toMatch(/^\s*-?\s*(apiGroups|verbs):/m);
  });
});

/**
 * Helm's template language, as much of it as this chart uses, to render the chart here (no helm
 * binary): Go text/template's actions (if, else if, else, with, range, define, variables,
 * pipelines, parentheses, comments, {{- and -}}) and the Sprig and Helm functions the templates
 * call. A function or action the chart starts using that this lacks fails the render, naming it.
 */
type Operand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'function'; name: string }
  | { kind: 'field'; base: { dot: true } | { variable: string } | { pipeline: Pipeline }; path: string[] };

interface Pipeline {
  declare?: { names: string[]; assign: boolean };
  commands: Operand[][];
}

type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pipeline: Pipeline; then: TemplateNode[]; otherwise: TemplateNode[] };

/** Template text and actions, with {{- and -}} already applied to the text. */
function lexTemplate(source: string): ({ text: string } | { action: string })[] {
  const parts: ({ text: string } | { action: string })[] = [];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    if (open < 0) {
      parts.push({ text: source.slice(position) });
      break;
    }
    let text = source.slice(position, open);
    let start = open + 2;
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.trimEnd();
      start += 1;
    }
    parts.push({ text });
    let end: number;
    if (source.slice(start).trimStart().startsWith('/*')) {
      end = source.indexOf('}}', source.indexOf('*/', start) + 2);
    } else {
      end = start;
      let quote = '';
      for (; end < source.length; end += 1) {
        const character = source[end];
        if (quote) {
          if (character === '\\' && quote === '"') end += 1;
          else if (character === quote) quote = '';
        } else if (character === '"' || character === '`') quote = character;
        else if (source.startsWith('}}', end)) break;
      }
    }
    if (end < 0 || end >= source.length) throw new Error(`unclosed action at ${open}`);
    let body = source.slice(start, end);
    const trimAfter = /\s-$/.test(body);
    if (trimAfter) body = body.slice(0, -1);
    parts.push({ action: body.trim() });
    position = end + 2;
    if (trimAfter) while (position < source.length && /\s/.test(source[position] ?? '')) position += 1;
  }
  return parts;
}

function tokenizeAction(action: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|:=|[()|,=]|[^\s()|,=]+)/gy;
  let consumed = 0;
  for (let match = pattern.exec(action); match; match = pattern.exec(action)) {
    tokens.push(match[1] ?? '');
    consumed = pattern.lastIndex;
  }
  if (action.slice(consumed).trim()) throw new Error(`cannot read action {{ ${action} }}`);
  return tokens;
}

function parsePipelineTokens(tokens: string[], from = 0, closing?: string): { pipeline: Pipeline; next: number } {
  let position = from;
  let declare: Pipeline['declare'];
  const names: string[] = [];
  let look = position;
  while (tokens[look]?.startsWith('$')) {
    names.push(tokens[look] ?? '');
    if (tokens[look + 1] === ',') look += 2;
    else break;
  }
  if (names.length > 0 && (tokens[look + 1] === ':=' || tokens[look + 1] === '=')) {
    declare = { names, assign: tokens[look + 1] === '=' };
    position = look + 2;
  }
  const commands: Operand[][] = [[]];
  while (position < tokens.length && tokens[position] !== closing) {
    const token = tokens[position] ?? '';
    position += 1;
    if (token === '|') {
      commands.push([]);
      continue;
    }
    let operand: Operand;
    if (token === '(') {
      const inner = parsePipelineTokens(tokens, position, ')');
      position = inner.next + 1;
      operand = { kind: 'field', base: { pipeline: inner.pipeline }, path: [] };
    } else if (token.startsWith('"')) operand = { kind: 'literal', value: JSON.parse(token) as string };
    else if (token.startsWith('`')) operand = { kind: 'literal', value: token.slice(1, -1) };
    else if (/^-?\d+(\.\d+)?$/.test(token)) operand = { kind: 'literal', value: Number(token) };
    else if (token === 'true' || token === 'false') operand = { kind: 'literal', value: token === 'true' };
    else if (token === 'nil') operand = { kind: 'literal', value: undefined };
    else if (token.startsWith('.')) operand = { kind: 'field', base: { dot: true }, path: token.split('.').filter(Boolean) };
    else if (token.startsWith('$')) {
      const [variable = '', ...path] = token.split('.');
      operand = { kind: 'field', base: { variable }, path };
    } else if (/^[A-Za-z_]\w*$/.test(token)) operand = { kind: 'function', name: token };
    else throw new Error(`unexpected "${token}" in a pipeline`);
    commands.at(-1)?.push(operand);
  }
  if (commands.some((command) => command.length === 0)) throw new Error(`empty command in a pipeline: ${tokens.join(' ')}`);
  return { pipeline: { declare, commands }, next: position };
}

function parsePipeline(text: string): Pipeline {
  const tokens = tokenizeAction(text);
  const { pipeline, next } = parsePipelineTokens(tokens);
  if (next !== tokens.length) throw new Error(`unexpected ")" in {{ ${text} }}`);
  return pipeline;
}

/** Parses a template, adding what it defines to `defines`. */
function parseTemplate(source: string, defines: Map<string, TemplateNode[]>): TemplateNode[] {
  const parts = lexTemplate(source);
  let index = 0;
  const list = (): { nodes: TemplateNode[]; end: string } => {
    const nodes: TemplateNode[] = [];
    while (index < parts.length) {
      const part = parts[index] ?? { text: '' };
      index += 1;
      if ('text' in part) {
        if (part.text) nodes.push({ kind: 'text', text: part.text });
        continue;
      }
      const { action } = part;
      if (action.startsWith('/*')) continue;
      const keyword = action.split(/\s+/)[0] ?? '';
      const rest = action.slice(keyword.length).trim();
      if (keyword === 'end' || keyword === 'else') return { nodes, end: action };
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') nodes.push(block(keyword, rest));
      else if (keyword === 'define') {
        const body = list();
        if (body.end !== 'end') throw new Error(`define ${rest} is not closed`);
        defines.set(JSON.parse(rest) as string, body.nodes);
      } else if (['template', 'block', 'break', 'continue'].includes(keyword)) throw new Error(`{{ ${keyword} }} is not supported here`);
      else nodes.push({ kind: 'action', pipeline: parsePipeline(action) });
    }
    return { nodes, end: '' };
  };
  const block = (kind: 'if' | 'with' | 'range', rest: string): TemplateNode => {
    const pipeline = parsePipeline(rest);
    const body = list();
    let otherwise: TemplateNode[] = [];
    if (body.end === 'else') {
      const tail = list();
      if (tail.end !== 'end') throw new Error(`${kind} ${rest}: else is not closed`);
      otherwise = tail.nodes;
    } else if (body.end.startsWith('else ')) {
      // `else if x` (or `else with x`): a nested block that ends at this block's end.
      const chained = body.end.slice(5).trim();
      const chainedKind = chained.split(/\s+/)[0] ?? '';
      if (chainedKind !== 'if' && chainedKind !== 'with') throw new Error(`unexpected {{ ${body.end} }}`);
      otherwise = [block(chainedKind, chained.slice(chainedKind.length).trim())];
    } else if (body.end !== 'end') throw new Error(`${kind} ${rest} is not closed`);
    return { kind, pipeline, then: body.nodes, otherwise };
  };
  const { nodes, end } = list();
  if (end) throw new Error(`unexpected {{ ${end} }}`);
  return nodes;
}

class HelmFailure extends Error {}

const isTruthy = (value: unknown): boolean =>
  !(value === undefined || value === null || value === false || value === 0 || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0));

function goKind(value: unknown): string {
  if (value === undefined || value === null) return 'invalid';
  if (Array.isArray(value)) return 'slice';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'map' : typeof value;
}

function goPrint(value: unknown): string {
  // Helm prints a missing value as "" (not Go's "<no value>").
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`printing ${JSON.stringify(value)}: not supported here`);
}

const NO_VALUE = Symbol('no piped value');

class Scope {
  private readonly variables = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, value: unknown) {
    this.variables.set(name, value);
  }
  assign(name: string, value: unknown) {
    if (this.variables.has(name)) this.variables.set(name, value);
    else if (this.parent) this.parent.assign(name, value);
    else throw new Error(`undefined variable ${name}`);
  }
  get(name: string): unknown {
    if (this.variables.has(name)) return this.variables.get(name);
    if (this.parent) return this.parent.get(name);
    throw new Error(`undefined variable ${name}`);
  }
}

type TemplateFunction = (...args: unknown[]) => unknown;
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

class TemplateEngine {
  readonly defines = new Map<string, TemplateNode[]>();
  private readonly functions: Record<string, TemplateFunction> = {
    include: (name, data) => this.include(String(name), data),
    required: (message, value) => {
      if (value === undefined || value === null || value === '') throw new HelmFailure(String(message));
      return value;
    },
    fail: (message) => {
      throw new HelmFailure(String(message));
    },
    default: (fallback, ...given) => (given.length > 0 && isTruthy(given[0]) ? given[0] : fallback),
    empty: (value) => !isTruthy(value),
    not: (value) => !isTruthy(value),
    and: (...args) => args.find((arg) => !isTruthy(arg)) ?? args.at(-1),
    or: (...args) => args.find((arg) => isTruthy(arg)) ?? args.at(-1),
    eq: (value, ...others) => others.some((other) => other === value),
    ne: (left, right) => left !== right,
    gt: (left, right) => Number(left) > Number(right),
    lt: (left, right) => Number(left) < Number(right),
    int: (value) => Math.trunc(Number(value ?? 0)),
    toString: (value: unknown) => text(value),
    quote: (...args) => args.filter((arg) => arg !== undefined && arg !== null).map((arg) => JSON.stringify(String(arg))).join(' '),
    trim: (value) => text(value).trim(),
    trunc: (length, value) => text(value).slice(0, Number(length)),
    trimSuffix: (suffix, value) => (suffix && text(value).endsWith(String(suffix)) ? text(value).slice(0, -String(suffix).length) : text(value)),
    contains: (part, value) => text(value).includes(String(part)),
    replace: (old, replacement, value) => text(value).split(String(old)).join(String(replacement)),
    printf: (format, ...args) => {
      let next = 0;
      return String(format).replace(/%[sdvq%]/g, (verb) => (verb === '%%' ? '%' : verb === '%q' ? JSON.stringify(text(args[next++])) : text(args[next++])));
    },
    print: (...args) => args.map((arg, index) => (index > 0 && typeof arg !== 'string' && typeof args[index - 1] !== 'string' ? ' ' : '') + text(arg)).join(''),
    indent: (width, value) => text(value).split('\n').map((line) => ' '.repeat(Number(width)) + line).join('\n'),
    nindent: (width, value) => `\n${String(this.functions.indent?.(width, value))}`,
    toYaml: (value) => stringify(value ?? null, { sortMapEntries: true }).replace(/\n$/, ''),
    toJson: (value) => JSON.stringify(value ?? null),
    fromJsonArray: (value) => {
      const parsed = JSON.parse(text(value)) as unknown;
      if (!Array.isArray(parsed)) throw new Error(`fromJsonArray: ${text(value)} is not an array`);
      return parsed;
    },
    list: (...args) => args,
    compact: (values) => asArray(values).filter(isTruthy),
    uniq: (values) => [...new Set(asArray(values))],
    join: (separator, values) => asArray(values).map(text).join(String(separator)),
    dict: (...args) => Object.fromEntries(args.flatMap((arg, index) => (index % 2 === 0 ? [[String(arg), args[index + 1]]] : []))),
    dir: (value) => posix.dirname(text(value)),
    sha256sum: (value) => createHash('sha256').update(text(value)).digest('hex'),
    kindIs: (kind, value) => goKind(value) === kind,
  };

  include(name: string, data: unknown): string {
    const nodes = this.defines.get(name);
    if (!nodes) throw new Error(`no template "${name}"`);
    const scope = new Scope();
    scope.declare('$', data);
    const out: string[] = [];
    this.execute(nodes, data, scope, out);
    return out.join('');
  }

  private execute(nodes: TemplateNode[], dot: unknown, scope: Scope, out: string[]) {
    for (const node of nodes) {
      if (node.kind === 'text') out.push(node.text);
      else if (node.kind === 'action') {
        const value = this.pipeline(node.pipeline, dot, scope);
        if (!node.pipeline.declare) out.push(goPrint(value));
      } else if (node.kind === 'range') {
        const { declare, ...pipeline } = node.pipeline;
        const value = this.pipeline(pipeline, dot, scope);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((item, index) => [index, item])
          : value && typeof value === 'object'
            ? Object.keys(value).sort().map((key) => [key, (value as Json)[key]])
            : [];
        if (value !== undefined && value !== null && typeof value !== 'object') throw new Error(`range over ${goKind(value)}`);
        if (entries.length === 0) this.execute(node.otherwise, dot, new Scope(scope), out);
        for (const [key, item] of entries) {
          const inner = new Scope(scope);
          if (declare?.names.length === 1) inner.declare(declare.names[0] ?? '', item);
          if (declare?.names.length === 2) {
            inner.declare(declare.names[0] ?? '', key);
            inner.declare(declare.names[1] ?? '', item);
          }
          this.execute(node.then, item, inner, out);
        }
      } else {
        const inner = new Scope(scope);
        const value = this.pipeline(node.pipeline, dot, inner);
        if (isTruthy(value)) this.execute(node.then, node.kind === 'with' ? value : dot, inner, out);
        else this.execute(node.otherwise, dot, new Scope(scope), out);
      }
    }
  }

  private pipeline(pipeline: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: unknown = NO_VALUE;
    for (const command of pipeline.commands) value = this.command(command, dot, scope, value);
    if (pipeline.declare) {
      const name = pipeline.declare.names[0] ?? '';
      if (pipeline.declare.assign) scope.assign(name, value);
      else scope.declare(name, value);
    }
    return value;
  }

  private command(command: Operand[], dot: unknown, scope: Scope, piped: unknown): unknown {
    const [first, ...rest] = command;
    const args = () => [...rest.map((operand) => this.operand(operand, dot, scope)), ...(piped === NO_VALUE ? [] : [piped])];
    if (first?.kind === 'function') {
      const fn = Object.hasOwn(this.functions, first.name) ? this.functions[first.name] : undefined;
      if (!fn) throw new Error(`function "${first.name}" is not supported here`);
      return fn(...args());
    }
    const value = first ? this.operand(first, dot, scope) : undefined;
    if (typeof value === 'function') return (value as TemplateFunction)(...args());
    if (rest.length > 0 || piped !== NO_VALUE) throw new Error('arguments given to a value that is not a function');
    return value;
  }

  private operand(operand: Operand, dot: unknown, scope: Scope): unknown {
    if (operand.kind === 'literal') return operand.value;
    if (operand.kind === 'function') return this.command([operand], dot, scope, NO_VALUE);
    const { base } = operand;
    let value = 'dot' in base ? dot : 'variable' in base ? scope.get(base.variable) : this.pipeline(base.pipeline, dot, scope);
    for (const key of operand.path) {
      // As in Go: a missing key is nothing, a field of nothing an error (a mistyped values path).
      if (value === undefined || value === null) throw new Error(`nil pointer evaluating .${operand.path.join('.')}`);
      if (typeof value !== 'object') throw new Error(`can't evaluate field ${key} in ${goKind(value)}`);
      value = (value as Json)[key];
    }
    return value;
  }
}

function mergeValues(base: unknown, overrides: unknown): unknown {
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides) || !base || typeof base !== 'object' || Array.isArray(base)) return overrides;
  const merged: Json = { ...(base as Json) };
  for (const [key, value] of Object.entries(overrides)) merged[key] = mergeValues(merged[key], value);
  return merged;
}

interface RenderedChart {
  objects: Objects;
  notes: string;
}

/** `helm template` of deploy/helm/aiops with values.yaml and `overrides` (as --set would), as release `aiops` in namespace `aiops`. */
function renderChart(overrides: Json = {}): RenderedChart {
  const chartDirectory = 'deploy/helm/aiops';
  const chart = asObject(parse(read(`${chartDirectory}/Chart.yaml`)));
  const engine = new TemplateEngine();
  const basePath = `${String(chart.name)}/templates`;
  const files = readdirSync(join(root, chartDirectory, 'templates')).sort();
  for (const file of files) {
    engine.defines.set(`${basePath}/${file}`, parseTemplate(read(`${chartDirectory}/templates/${file}`), engine.defines));
  }
  const data = (file: string) => ({
    Values: mergeValues(parse(read(`${chartDirectory}/values.yaml`)), overrides),
    Release: { Name: 'aiops', Namespace: 'aiops', Service: 'Helm', IsInstall: true },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Template: { Name: `${basePath}/${file}`, BasePath: basePath },
    Files: { Get: (path: unknown) => read(`${chartDirectory}/${String(path)}`) },
    Capabilities: {},
  });
  const manifests = files.filter((file) => !file.startsWith('_') && /\.ya?ml$/.test(file)).map((file) => engine.include(`${basePath}/${file}`, data(file)));
  for (const manifest of manifests) {
    for (const document of parseAllDocuments(manifest)) expect(document.errors.map((error) => error.message), manifest).toEqual([]);
  }
  const objects = Objects.parse(manifests.join('\n---\n'));
  // What `helm install -n aiops` does: namespaced objects without a namespace go to the release's.
  for (const object of objects.all) {
    const metadata = asObject(object.metadata);
    if (!String(object.kind).startsWith('Cluster') && metadata.namespace === undefined) object.metadata = { ...metadata, namespace: 'aiops' };
  }
  return { objects, notes: engine.include(`${basePath}/NOTES.txt`, data('NOTES.txt')) };
}

describe('deploy/helm/aiops, rendered', () => {
  const workloadAccount = (objects: Objects, component: 'bot' | 'worker') =>
    asObject(asObject(asObject(objects.named('Deployment', `aiops-${component}`)?.spec).template).spec).serviceAccountName;
  const renders = {
    default: renderChart(),
    executor: renderChart({ healing: { executor: { enabled: true } } }),
    executorClusterWide: renderChart({ healing: { executor: { enabled: true } }, rbac: { clusterWide: true } }),
    executorTwoNamespaces: renderChart({ healing: { executor: { enabled: true } }, rbac: { namespaces: ['shop', 'payments', 'shop'] } }),
  };

  it('renders every template into objects a cluster takes: accounts, roles, bindings, config, service, bot and workers', () => {
    const kinds = renders.default.objects.all.map((object) => String(object.kind)).sort();
    expect(kinds).toEqual(['ClusterRole', 'ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'RoleBinding', 'Service', 'ServiceAccount']);
    for (const render of Object.values(renders)) render.objects.expectBindingsResolve('the chart');
  });

  it('no rendered rule, with or without healing, grants anything on Secrets, a wildcard, or a verb that creates or escalates', () => {
    for (const [name, render] of Object.entries(renders)) {
      for (const role of render.objects.roles) expectNothingBroad(render.objects.rulesOf(role), `${name}: ${String(asObject(role.metadata).name)}`);
    }
  });

  it('by default is read-only: no executor account, role or binding, and bot and workers run as the read-only account', () => {
    const { objects, notes } = renders.default;
    expect(asObject(asObject(parse(read('deploy/helm/aiops/values.yaml'))).healing)).toEqual({ executor: { enabled: false, serviceAccountName: '' } });
    expect(JSON.stringify(objects.all)).not.toMatch(/executor/);
    for (const role of objects.roles) expectReadOnly(objects.rulesOf(role), `ClusterRole ${String(asObject(role.metadata).name)}`);
    expect(objects.byKind('ServiceAccount').map((account) => asObject(account.metadata).name)).toEqual(['aiops']);
    expect(workloadAccount(objects, 'bot')).toBe('aiops');
    expect(workloadAccount(objects, 'worker')).toBe('aiops');
    expect(notes).toMatch(/as ServiceAccount aiops, in shop, read-only/);
    expect(notes).not.toMatch(/healing/i);
  });

  it('with healing.executor.enabled runs the workers as the executor account; the bot keeps the read-only one', () => {
    const { objects, notes } = renders.executor;
    const reader = objects.named('ServiceAccount', 'aiops');
    const executor = objects.named('ServiceAccount', 'aiops-executor');
    expect(executor).toBeDefined();
    expect(asObject(executor?.metadata).namespace).toBe('aiops');
    expect(executor?.automountServiceAccountToken).toBe(false);
    expect(workloadAccount(objects, 'worker')).toBe('aiops-executor');
    expect(workloadAccount(objects, 'bot')).toBe('aiops');
    if (!reader || !executor) return;
    expectReadOnly(objects.rulesFor(reader), 'the read-only account');
    expect(grantsObject(objects.rulesOf(objects.named('ClusterRole', 'aiops-executor')))).toEqual(EXECUTOR_VERBS);
    expect(grantsObject(objects.rulesFor(executor))).toEqual(grantsObject([...objects.rulesOf(objects.named('ClusterRole', 'aiops')), ...objects.rulesOf(objects.named('ClusterRole', 'aiops-executor'))]));
    expect(objects.writeScopes(executor)).toEqual(['shop']);
    expect(notes).toMatch(/Healing: the workers run as ServiceAccount aiops-executor, which may also patch deployments and deployments\/scale and delete pods in shop; the bot stays read-only/);
  });

  it('binds the executor\'s writes per watched namespace, even with rbac.clusterWide', () => {
    const clusterWide = renders.executorClusterWide.objects;
    const executor = clusterWide.named('ServiceAccount', 'aiops-executor') ?? {};
    expect(clusterWide.writeScopes(executor)).toEqual(['shop']);
    expect(grantsObject(clusterWide.rulesFor(executor))).toEqual(grantsObject([...clusterWide.rulesOf(clusterWide.named('ClusterRole', 'aiops')), ...clusterWide.rulesOf(clusterWide.named('ClusterRole', 'aiops-executor'))]));
    const two = renders.executorTwoNamespaces.objects;
    expect(two.writeScopes(two.named('ServiceAccount', 'aiops-executor') ?? {})).toEqual(['payments', 'shop']);
    expect(two.writeScopes(two.named('ServiceAccount', 'aiops') ?? {})).toEqual([]);
  });

  it('refuses healing.executor.enabled where the bot\'s own process would run the fixes (no separate workers)', () => {
    expect(() => renderChart({ healing: { executor: { enabled: true } }, workers: { replicas: 0 } })).toThrow(/healing\.executor\.enabled: approved fixes run in the workers only/);
    expect(() => renderChart({ healing: { executor: { enabled: true } }, bot: { role: 'start' } })).toThrow(HelmFailure);
    expect(() => renderChart({ workers: { replicas: 0 } }), 'without healing, one process is fine').not.toThrow();
  });

  it('takes the executor account\'s name from healing.executor.serviceAccountName', () => {
    const { objects } = renderChart({ healing: { executor: { enabled: true, serviceAccountName: 'shop-fixer' } } });
    expect(objects.named('ServiceAccount', 'shop-fixer')).toBeDefined();
    expect(workloadAccount(objects, 'worker')).toBe('shop-fixer');
    objects.expectBindingsResolve('healing.executor.serviceAccountName');
  });
});

/** Dockerfile instructions with comments dropped and continuation lines joined. */
function dockerfileInstructions(text: string): { keyword: string; argument: string }[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
    });
}

describe('deploy/Dockerfile', () => {
  const instructions = dockerfileInstructions(read('deploy/Dockerfile'));
  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const find = (keyword: string, stage = runtime) => stage.filter((instruction) => instruction.keyword === keyword);

  it('builds on node:20-bookworm-slim with npm ci', () => {
    const args = Object.fromEntries(
      find('ARG', instructions).map(({ argument }) => {
        const [name = '', value = ''] = argument.split('=');
        return [name, value];
      }),
    );
    const bases = find('FROM', instructions).map(({ argument }) =>
      argument.replace(/\$\{?(\w+)\}?/g, (_, name: string) => args[name] ?? '').split(/\s+/)[0],
    );
    expect(bases.length, 'multi-stage').toBeGreaterThan(1);
    for (const base of bases) expect(base).toBe('node:20-bookworm-slim');
    expect(find('RUN', instructions).some(({ argument }) => /\bnpm ci\b/.test(argument))).toBe(true);
  });

  it('runs as a non-root USER', () => {
    const users = find('USER');
    expect(users.length, 'USER in the final stage').toBeGreaterThan(0);
    const user = users.at(-1)?.argument.split(':')[0] ?? '';
    expect(user).not.toMatch(/^(root|0)$/);
  });

  it('has a HEALTHCHECK on /healthz and exposes 3000', () => {
    const healthcheck = find('HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]?.argument).toContain('/healthz');
    expect(find('EXPOSE').map(({ argument }) => argument)).toContain('3000');
  });

  it('starts the bot (aiops start) by default', () => {
    const entrypoint = find('ENTRYPOINT').at(-1)?.argument ?? '';
    const command = find('CMD').at(-1)?.argument ?? '';
    expect(`${entrypoint} ${command}`).toMatch(/main\.(js|ts)/);
    expect(JSON.parse(command)).toEqual(['start']);
  });

  it('ships the default catalogue where the code looks for it (../deploy from src/ or dist/)', () => {
    expect(find('COPY').some(({ argument }) => /deploy\/catalogue\.example\.yml\s+\.\/deploy\/catalogue\.example\.yml$/.test(argument))).toBe(true);
  });

  it('copies only files that exist and that the build context keeps', () => {
    const ignore = read('deploy/Dockerfile.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const kept = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    expect(ignore[0], 'everything not listed is ignored').toBe('*');
    for (const { argument } of find('COPY', instructions)) {
      if (argument.includes('--from=')) continue;
      const parts = argument.split(/\s+/).filter((part) => !part.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(join(root, source)), `COPY ${source}: missing from the repository`).toBe(true);
        expect(kept, `COPY ${source}: excluded by Dockerfile.dockerignore`).toContain(source);
      }
    }
  });
});

describe('deploy/helm/aiops', () => {
  const chart = asObject(parse(read('deploy/helm/aiops/Chart.yaml')));
  const values = asObject(parse(read('deploy/helm/aiops/values.yaml')));
  const packageJson = JSON.parse(read('package.json')) as { version: string };

  it('Chart.yaml names a v2 application chart at the package version', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'aiops', type: 'application', appVersion: packageJson.version });
    expect(String(chart.version)).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('values set only variables the bot reads, and no secrets', () => {
    const names = configVariables();
    const env = Object.keys(asObject(values.env));
    expect(env.length).toBeGreaterThan(0);
    for (const name of env) expect(names, `values.env.${name}`).toContain(name);
    for (const name of SECRET_VARIABLES) expect(env).not.toContain(name);
    expect(values).toHaveProperty('existingSecret');
  });

  it('values have bot and worker replicas, resources, a Redis URL, /healthz liveness and /readyz readiness probes', () => {
    expect(asObject(values.bot).replicas).toEqual(expect.any(Number));
    expect(asObject(values.workers).replicas).toEqual(expect.any(Number));
    expect(asObject(values.bot).resources).toBeTruthy();
    expect(asObject(values.workers).resources).toBeTruthy();
    expect(new URL(String(asObject(values.redis).url)).protocol).toBe('redis:');
    for (const [name, probe] of Object.entries(asObject(values.probes))) {
      expect(asObject(asObject(probe).httpGet).path, `probes.${name}`).toBe(name === 'readiness' ? '/readyz' : '/healthz');
    }
    expect(asObject(values.podSecurityContext).runAsNonRoot).toBe(true);
  });

  it('the default catalogue is deploy/catalogue.example.yml, mounted at an absolute path', () => {
    const catalogue = asObject(values.catalogue);
    expect(parse(String(catalogue.content))).toEqual(parse(read('deploy/catalogue.example.yml')));
    expect(String(catalogue.mountPath)).toMatch(/^\//);
    expect(String(catalogue.fileName)).toMatch(/\.ya?ml$/);
  });

  it('templates refer only to values that values.yaml defines', () => {
    const directory = 'deploy/helm/aiops/templates';
    const missing: string[] = [];
    for (const file of readdirSync(join(root, directory))) {
      const template = read(join(directory, file));
      for (const match of template.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        const path = (match[1] ?? '').split('.').filter(Boolean);
        let node: unknown = values;
        for (const key of path) {
          if (!node || typeof node !== 'object' || !(key in node)) {
            missing.push(`${relative(directory, join(directory, file))}: .Values.${path.join('.')}`);
            break;
          }
          node = (node as Json)[key];
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('annotates pods for scraping /metrics', () => {
    const helpers = read('deploy/helm/aiops/templates/_helpers.tpl');
    expect(asObject(values.metrics).podAnnotations).toBe(true);
    expect(helpers).toContain('prometheus.io/scrape: "true"');
    expect(helpers).toMatch(/prometheus\.io\/port: \{\{ \$root\.Values\.port \| quote \}\}/);
    expect(helpers).toContain('prometheus.io/path: "/metrics"');
  });

  it('has the templates a release needs', () => {
    const templates = readdirSync(join(root, 'deploy/helm/aiops/templates'));
    expect(templates).toEqual(
      expect.arrayContaining([
        '_helpers.tpl',
        'NOTES.txt',
        'deployment-bot.yaml',
        'deployment-worker.yaml',
        'service.yaml',
        'configmap.yaml',
        'serviceaccount.yaml',
        'rbac.yaml',
      ]),
    );
  });
});

/** Endpoints of the bot's own HTTP server, wherever a file names one: `/healthz`, `http://…:3000/metrics`, `path: /healthz`. */
const ENDPOINT_PATH = /(?<![A-Za-z_./-])\/(healthz|readyz|livez|metrics)\b/g;

function filesUnder(directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

describe('paths the deploy files probe, scrape or advertise', () => {
  const named = new Map<string, Set<string>>();
  for (const file of [...filesUnder('deploy'), 'README.md']) {
    for (const match of read(file).matchAll(ENDPOINT_PATH)) {
      const files = named.get(match[0]) ?? new Set<string>();
      files.add(file);
      named.set(match[0], files);
    }
  }
  let server: RunningServer;

  beforeAll(async () => {
    // The health server as `aiops start` builds it: /healthz with its status, /metrics from the process's registry.
    server = await startHealthServer({ port: 0, host: '127.0.0.1', status: () => ({ roles: { schedule: true, work: true } }), metrics: new Metrics({ processMetrics: false }) });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('include the probes and the scrape path', () => {
    expect([...named.keys()]).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']));
    expect([...(named.get('/metrics') ?? [])]).toEqual(expect.arrayContaining(['deploy/helm/aiops/templates/_helpers.tpl', 'deploy/docker-compose.yml']));
  });

  it('all answer 200 on the running health server', async () => {
    for (const [path, files] of named) {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
      expect(response.status, `GET ${path} (named in ${[...files].join(', ')})`).toBe(200);
    }
  });

  it('/metrics answers in the Prometheus text format', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^# TYPE aiops_alertmanager_webhook_deliveries_total counter$/m);
  });
});
