import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseAllDocuments, parseDocument } from 'yaml';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { startHealthServer, type RunningServer } from '../../src/http/health-server.js';
import { parseAiopsCommand } from '../../src/slack/aiops-command.js';
import { AIOPS_SUBCOMMANDS } from '../../src/slack/blocks/help-message.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { HelmFailure } from './go-template.js';
import { configVariables, SECRET_VARIABLES } from './config-variables.js';
import { asArray, asObject, asStrings, type Json } from './json-shapes.js';
import { grants, grantsObject, KubernetesObjects, READ_VERBS, type Rule, writesOf } from './kubernetes-objects.js';
import { renderChart } from './render-chart.js';
import { filesUnder, read, REPOSITORY_ROOT as root } from './repository-files.js';

/**
 * The deployment files and the Slack manifest, checked for what a user would notice going wrong:
 * a missing command or event, a scope nobody can explain or nothing uses, a subcommand the bot
 * refuses, a bot that cannot reach Redis, RBAC wider than what the code reads, a probe or scrape
 * of a path the bot does not serve, an image running as root or without a health check, a chart
 * whose settings the bot does not read. The chart's newer parts (PDBs, the Secret, the values
 * schema), the kustomize base, the schema validation of every manifest and the monitoring files
 * have their own files beside this one.
 */

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
  const objects = KubernetesObjects.parse(text);
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
    const before = KubernetesObjects.parse(text.slice(0, at));
    const after = KubernetesObjects.parse(text.slice(at));
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


describe('deploy/helm/aiops, rendered', () => {
  const workloadAccount = (objects: KubernetesObjects, component: 'bot' | 'worker') =>
    asObject(asObject(asObject(objects.named('Deployment', `aiops-${component}`)?.spec).template).spec).serviceAccountName;
  const renders = {
    default: renderChart(),
    executor: renderChart({ healing: { executor: { enabled: true } } }),
    executorClusterWide: renderChart({ healing: { executor: { enabled: true } }, rbac: { clusterWide: true } }),
    executorTwoNamespaces: renderChart({ healing: { executor: { enabled: true } }, rbac: { namespaces: ['shop', 'payments', 'shop'] } }),
  };

  it('renders every template into objects a cluster takes: accounts, roles, bindings, config, service, bot, workers and their disruption budget', () => {
    const kinds = renders.default.objects.all.map((object) => String(object.kind)).sort();
    expect(kinds).toEqual(['ClusterRole', 'ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'PodDisruptionBudget', 'RoleBinding', 'Service', 'ServiceAccount']);
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
        'poddisruptionbudget.yaml',
        'secret.yaml',
      ]),
    );
  });
});

/** Endpoints of the bot's own HTTP server, wherever a file names one: `/healthz`, `http://…:3000/metrics`, `path: /healthz`. */
const ENDPOINT_PATH = /(?<![A-Za-z_./-])\/(healthz|readyz|livez|metrics)\b/g;

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
