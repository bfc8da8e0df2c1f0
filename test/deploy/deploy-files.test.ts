import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseAllDocuments, parseDocument } from 'yaml';
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

  it('describes only what is built: healing and forecasts appear only as planned', () => {
    const display = asObject(manifest.display_information);
    const slash = asArray(features.slash_commands).map(asObject)[0] ?? {};
    for (const text of [String(display.description), String(slash.description), String(slash.usage_hint)]) {
      expect(text).not.toMatch(/heal|forecast|approv/i);
    }
    const long = String(display.long_description);
    const planned = long.search(/not built yet/i);
    expect(planned, 'long_description says what is not built yet').toBeGreaterThan(-1);
    for (const match of long.matchAll(/heal|forecast/gi)) expect(match.index, `"${match[0]}" before "not built yet"`).toBeGreaterThan(planned);
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
 * What the bot may do in a watched namespace, and nothing more: read. Healing, which would patch
 * deployments and delete pods, is not built; its writes come with it.
 */
const ALLOWED_VERBS: Record<string, string[]> = {
  'apps/deployments': ['get', 'list', 'watch'],
  'apps/replicasets': ['get', 'list', 'watch'],
  '/pods': ['get', 'list', 'watch'],
  '/events': ['get', 'list', 'watch'],
};

const READ_VERBS = new Set(['get', 'list', 'watch']);

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

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

function expectLeastPrivilege(rules: Rule[], where: string) {
  expect(rules.length, where).toBeGreaterThan(0);
  for (const rule of rules) {
    const fields = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? [])];
    expect(fields, `${where}: no wildcards`).not.toContain('*');
    expect(rule.nonResourceURLs, `${where}: no non-resource URLs`).toBeUndefined();
    for (const resource of rule.resources ?? []) expect(resource, `${where}: no secrets`).not.toMatch(/secret/i);
  }
  for (const [resource, verbs] of grants(rules)) {
    const allowed = ALLOWED_VERBS[resource];
    expect(allowed, `${where}: ${resource} is not something the bot needs`).toBeDefined();
    for (const verb of verbs) expect(allowed, `${where}: ${verb} on ${resource}`).toContain(verb);
  }
}

/** No create, update, patch, delete or deletecollection anywhere: nothing in src/ writes to the cluster yet. */
function expectReadOnly(rules: Rule[], where: string) {
  for (const rule of rules) {
    for (const verb of rule.verbs ?? []) expect(READ_VERBS.has(verb), `${where}: write verb ${verb} on ${(rule.resources ?? []).join(', ')}`).toBe(true);
  }
}

describe('deploy/rbac.yaml', () => {
  const text = read('deploy/rbac.yaml');
  const documents = parseAllDocuments(text);
  const objects = (Array.isArray(documents) ? documents : []).map((document) => asObject(document.toJS()));
  const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const roles = [...byKind('ClusterRole'), ...byKind('Role')];
  const rules = roles.flatMap((role) => asArray(role.rules) as Rule[]);

  it('has a ServiceAccount, a role and a RoleBinding tying them together', () => {
    const serviceAccount = byKind('ServiceAccount')[0];
    expect(serviceAccount).toBeDefined();
    expect(roles).toHaveLength(1);
    const bindings = byKind('RoleBinding');
    expect(bindings.length).toBeGreaterThan(0);
    expect(byKind('ClusterRoleBinding'), 'bound per namespace, not cluster-wide').toHaveLength(0);
    for (const binding of bindings) {
      expect(asObject(binding.roleRef).name).toBe(asObject(roles[0]?.metadata).name);
      expect(asObject(binding.roleRef).kind).toBe(roles[0]?.kind);
      const subject = asObject(asArray(binding.subjects)[0]);
      expect(subject).toMatchObject({
        kind: 'ServiceAccount',
        name: asObject(serviceAccount?.metadata).name,
        namespace: asObject(serviceAccount?.metadata).namespace,
      });
    }
  });

  it('grants nothing beyond reading workloads', () => {
    expectLeastPrivilege(rules, 'deploy/rbac.yaml');
  });

  it('grants no write verb, and says it is read-only', () => {
    expectReadOnly(rules, 'deploy/rbac.yaml');
    expect(text).toMatch(/read-only/i);
    expect(text).not.toMatch(/src\/healing/);
  });

  it('grants what the features need', () => {
    const granted = grants(rules);
    for (const [resource, verbs] of Object.entries(ALLOWED_VERBS)) {
      for (const verb of verbs) expect([...(granted.get(resource) ?? [])], `${verb} on ${resource}`).toContain(verb);
    }
  });

  it('comments every rule with the feature that needs it', () => {
    const document = parseAllDocuments(text);
    const role = (Array.isArray(document) ? document : []).find((entry) => entry.get('kind') === 'ClusterRole');
    const node = role?.get('rules', true);
    expect(isSeq(node)).toBe(true);
    if (!isSeq(node)) return;
    node.items.forEach((item, index) => {
      expect(isMap(item)).toBe(true);
      if (!isMap(item)) return;
      // The parser hangs the comment above the first item on the sequence itself.
      const comment = item.commentBefore ?? (index === 0 ? node.commentBefore : undefined);
      expect(String(comment ?? '').trim().length, JSON.stringify(item.toJSON())).toBeGreaterThan(10);
    });
  });

  it('has the same rules as the Helm chart, which renders them unconditionally and nothing else', () => {
    const ruleFiles = readdirSync(join(root, 'deploy/helm/aiops/files')).filter((file) => /^rbac-.*\.ya?ml$/.test(file));
    expect(ruleFiles).toEqual(['rbac-read-rules.yaml']);
    const chartRules = asArray(parse(read('deploy/helm/aiops/files/rbac-read-rules.yaml'))) as Rule[];
    expect(chartRules).toEqual(rules);
    const template = read('deploy/helm/aiops/templates/rbac.yaml');
    expect(template.match(/\.Files\.Get "([^"]+)"/g)).toEqual(['.Files.Get "files/rbac-read-rules.yaml"']);
    expect(template, 'the chart template adds no rules of its own').not.toMatch(/^\s*-?\s*(apiGroups|verbs):/m);
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

  it('grants read-only RBAC with no switch for writes, and annotates pods for scraping /metrics', () => {
    expect(asObject(values.rbac)).not.toHaveProperty('healing');
    const helpers = read('deploy/helm/aiops/templates/_helpers.tpl');
    expect(asObject(values.metrics).podAnnotations).toBe(true);
    expect(helpers).toContain('prometheus.io/scrape: "true"');
    expect(helpers).toMatch(/prometheus\.io\/port: \{\{ \$root\.Values\.port \| quote \}\}/);
    expect(helpers).toContain('prometheus.io/path: "/metrics"');
    const notes = read('deploy/helm/aiops/templates/NOTES.txt');
    expect(notes).not.toMatch(/healing/i);
    expect(notes).toMatch(/read-only/);
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
