import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CATALOGUE_PATH, renderQuery } from '../src/catalogue.js';
import { loadConfig, type Config } from '../src/config.js';
import { AiopsError, ErrorCode } from '../src/errors.js';
import { SIGNALS } from '../src/signals.js';

type Environment = Record<string, string | undefined>;

/** The catalogue as plain data, so each mistake is one targeted edit of a known-good document. */
type CatalogueDocument = {
  prometheus: { queries: Record<string, string> };
  services: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

const EXAMPLE_SERVICES = ['frontend', 'checkout', 'order-service', 'payment', 'cart', 'catalogue', 'shipping', 'user', 'database', 'cache'];

// Every test passes stdoutIsTerminal so the result never depends on how vitest was started.
function load(environment: Environment): Readonly<Config> {
  return loadConfig(environment, { stdoutIsTerminal: false });
}

function configFailure(environment: Environment): AiopsError {
  try {
    load(environment);
  } catch (error) {
    if (error instanceof AiopsError) return error;
    throw error;
  }
  throw new Error(`expected loadConfig to refuse ${JSON.stringify(environment)}`);
}

/** The user sees exactly this one line; the code is what scripts and alerts match on. */
function expectConfigError(environment: Environment, expectedMessage: string): void {
  const error = configFailure(environment);
  expect(error.code).toBe(ErrorCode.ConfigInvalid);
  expect(error.message).toBe(expectedMessage);
  expect(error.message).not.toContain('\n');
}

describe('loadConfig: the environment', () => {
  it('reads the API clients from AIOPS_API_TOKENS, and names a bad entry by position and name, never by its token', () => {
    expect(load({ AIOPS_API_TOKENS: 'grafana:read:0123456789abcdef, runbooks:write:fedcba9876543210xyz' }).apiTokens).toEqual([
      { name: 'grafana', scope: 'read', token: '0123456789abcdef' },
      { name: 'runbooks', scope: 'write', token: 'fedcba9876543210xyz' },
    ]);
    expect(load({}).apiTokens).toEqual([]);
    expectConfigError(
      { AIOPS_API_TOKENS: 'grafana:read:0123456789abcdef,ci:admin:secret-secret-secret' },
      'AIOPS_API_TOKENS: entry 2 (ci): expected name:read|write:token, the name lowercase letters, digits and dashes, the token at least 16 characters without spaces or commas',
    );
    expectConfigError({ AIOPS_API_TOKENS: 'ci:write:short' }, 'AIOPS_API_TOKENS: entry 1 (ci): expected name:read|write:token, the name lowercase letters, digits and dashes, the token at least 16 characters without spaces or commas');
    expectConfigError({ AIOPS_API_TOKENS: 'ci:read:0123456789abcdef,ci:write:0123456789abcdefg' }, 'AIOPS_API_TOKENS: entry 2 (ci): the name is used twice; expected one entry per client');
  });

  it('with nothing set, runs the simulated world on the defaults', () => {
    const config = load({});
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379' });
    expect(config.cataloguePath).toBe(EXAMPLE_CATALOGUE_PATH);
    expect(Object.keys(config.catalogue.services)).toEqual(EXAMPLE_SERVICES);
    expect(config.slack).toBeUndefined();
    expect(config.llm).toBeUndefined();
    expect(config.prometheusUrl).toBeUndefined();
    expect(config.elasticsearchUrl).toBeUndefined();
    expect(config.kubeconfig).toBeUndefined();
    expect(config.scenario).toBeUndefined();
    expect(config.simulationSpeed).toBe(1);
    expect(config.logLevel).toBe('info');
    expect(config.prettyLogs).toBe(false);
  });

  it('treats empty and blank values as unset, as a copied .env.example leaves them', () => {
    const config = load({ PORT: '', SLACK_BOT_TOKEN: '  ', REDIS_URL: '', AIOPS_SCENARIO: '', AIOPS_SIM_SPEED: '', LOG_LEVEL: '' });
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.slack).toBeUndefined();
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.scenario).toBeUndefined();
    expect(config.simulationSpeed).toBe(1);
  });

  it('reads the values it is given', () => {
    const config = load({
      PORT: '8080',
      REDIS_URL: 'rediss://redis.internal:6380/2',
      PROMETHEUS_URL: 'http://prometheus:9090',
      ELASTICSEARCH_URL: 'https://elasticsearch:9200',
      JAEGER_URL: 'http://jaeger-query:16686',
      KUBECONFIG: '/etc/aiops/kubeconfig',
      AIOPS_SCENARIO: 'bad-deploy',
      AIOPS_SIM_SPEED: '60',
      LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(8080);
    expect(config.redisUrl).toBe('rediss://redis.internal:6380/2');
    expect(config.prometheusUrl).toBe('http://prometheus:9090');
    expect(config.elasticsearchUrl).toBe('https://elasticsearch:9200');
    expect(config.jaegerUrl).toBe('http://jaeger-query:16686');
    expect(config.kubeconfig).toBe('/etc/aiops/kubeconfig');
    expect(config.scenario).toBe('bad-deploy');
    expect(config.simulationSpeed).toBe(60);
    expect(config.logLevel).toBe('debug');
  });

  it('reads Redis Sentinel settings: the sentinels in order, the master group, its password; REDIS_URL stays for the master', () => {
    const config = load({
      REDIS_URL: 'rediss://bot:secret@unused:6379/2',
      REDIS_SENTINELS: ' sentinel-0:26379, 10.0.0.7:26380 ,[fd00::1]:26381',
      REDIS_SENTINEL_NAME: 'aiops',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(config.redis).toEqual({
      url: 'rediss://bot:secret@unused:6379/2',
      sentinel: {
        sentinels: [
          { host: 'sentinel-0', port: 26379 },
          { host: '10.0.0.7', port: 26380 },
          { host: 'fd00::1', port: 26381 },
        ],
        name: 'aiops',
        password: 'sentinel-secret',
      },
    });
    expect(config.redisUrl).toBe('rediss://bot:secret@unused:6379/2');
    // REDIS_URL unset: the default gives no credentials and database 0; its host is unused.
    expect(load({ REDIS_SENTINELS: 'sentinel-0:26379', REDIS_SENTINEL_NAME: 'aiops' }).redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      sentinel: { sentinels: [{ host: 'sentinel-0', port: 26379 }], name: 'aiops' },
    });
  });

  it('pretty-prints logs at a terminal, except in production', () => {
    expect(loadConfig({}, { stdoutIsTerminal: true }).prettyLogs).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }, { stdoutIsTerminal: true }).prettyLogs).toBe(false);
  });

  it('chooses Socket Mode when SLACK_APP_TOKEN is set', () => {
    const config = load({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(config.slack).toEqual({ botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: undefined, apiUrl: undefined, mode: 'socket' });
  });

  it('chooses HTTP mode when SLACK_APP_TOKEN is absent', () => {
    const config = load({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: 'http://127.0.0.1:4010/api/' });
    expect(config.slack).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 'secret',
      appToken: undefined,
      apiUrl: 'http://127.0.0.1:4010/api/',
      mode: 'http',
    });
  });

  it('configures an LLM from a key, with a default model', () => {
    expect(load({ OPENAI_API_KEY: 'sk-test' }).llm).toEqual({ apiKey: 'sk-test', baseUrl: undefined, model: 'gpt-4o-mini' });
  });

  it('configures a keyless local LLM endpoint from its base URL', () => {
    expect(load({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_MODEL: 'llama3' }).llm).toEqual({
      apiKey: undefined,
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3',
    });
  });

  it('returns a deeply frozen config', () => {
    // Test files are ES modules, so assignments run in strict mode and a frozen object throws.
    const config = load({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }) as Config;
    expect(() => {
      config.port = 1;
    }).toThrow(TypeError);
    expect(() => {
      config.slack!.botToken = 'xoxb-2';
    }).toThrow(TypeError);
    expect(() => {
      config.catalogue.prometheus.queries.cpu = 'up';
    }).toThrow(TypeError);
    expect(() => {
      config.catalogue.services.cart!.dependencies.push('payment');
    }).toThrow(TypeError);
    expect(config.catalogue.services.cart!.dependencies).toEqual(['cache']);
  });

  describe('refuses a mistake with one line naming the variable', () => {
    it('SLACK_BOT_TOKEN without SLACK_SIGNING_SECRET in HTTP mode', () => {
      expectConfigError(
        { SLACK_BOT_TOKEN: 'xoxb-1' },
        'SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN in HTTP mode (requests are verified with it); or set SLACK_APP_TOKEN for Socket Mode',
      );
    });

    it('SLACK_APP_TOKEN without SLACK_BOT_TOKEN', () => {
      expectConfigError({ SLACK_APP_TOKEN: 'xapp-1' }, 'SLACK_BOT_TOKEN: required with SLACK_APP_TOKEN (Socket Mode needs both tokens)');
    });

    it('SLACK_SIGNING_SECRET alone', () => {
      expectConfigError({ SLACK_SIGNING_SECRET: 'secret' }, 'SLACK_BOT_TOKEN: required with SLACK_SIGNING_SECRET (set both or neither)');
    });

    it('a user token where the bot token belongs', () => {
      expectConfigError({ SLACK_BOT_TOKEN: 'xoxp-1', SLACK_SIGNING_SECRET: 'secret' }, 'SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    });

    it('a bot token where the app-level token belongs', () => {
      expectConfigError(
        { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' },
        'SLACK_APP_TOKEN: expected an app-level token starting with xapp-',
      );
    });

    it('PROMETHEUS_URL that is not a URL', () => {
      expectConfigError({ PROMETHEUS_URL: 'not a url' }, 'PROMETHEUS_URL: expected a URL starting with http:// or https://');
    });

    it('JAEGER_URL without a scheme', () => {
      expectConfigError({ JAEGER_URL: 'jaeger-query:16686' }, 'JAEGER_URL: expected a URL starting with http:// or https://');
    });

    it('REDIS_URL with an HTTP scheme', () => {
      expectConfigError({ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL: expected a URL starting with redis:// or rediss://');
    });

    it.each([
      ['sentinel-0', '"sentinel-0"'],
      ['sentinel-0:26379,sentinel-1', '"sentinel-1"'],
      ['sentinel-0:0', '"sentinel-0:0"'],
      ['sentinel-0:65536', '"sentinel-0:65536"'],
      ['redis://sentinel-0:26379', '"redis://sentinel-0:26379"'],
      ['fd00::1:26379', '"fd00::1:26379"'],
      ['sentinel-0:26379,', 'an empty entry'],
    ])('REDIS_SENTINELS=%s', (sentinels, got) => {
      expectConfigError(
        { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: 'aiops' },
        `REDIS_SENTINELS: expected a comma-separated list of host:port (port 1 to 65535), like sentinel-0:26379,sentinel-1:26379; got ${got}`,
      );
    });

    it('REDIS_SENTINELS without REDIS_SENTINEL_NAME', () => {
      expectConfigError({ REDIS_SENTINELS: 'sentinel-0:26379' }, 'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master group name the sentinels monitor)');
    });

    it('REDIS_SENTINEL_NAME without REDIS_SENTINELS', () => {
      expectConfigError({ REDIS_SENTINEL_NAME: 'aiops' }, 'REDIS_SENTINELS: required with REDIS_SENTINEL_NAME (the sentinels to ask where that master is)');
    });

    it('REDIS_SENTINEL_PASSWORD without REDIS_SENTINELS', () => {
      expectConfigError({ REDIS_SENTINEL_PASSWORD: 'sentinel-secret' }, 'REDIS_SENTINELS: required with REDIS_SENTINEL_PASSWORD (a password for the sentinels; the master password goes in REDIS_URL)');
    });

    it('a REDIS_SENTINEL_NAME with a space', () => {
      expectConfigError(
        { REDIS_SENTINELS: 'sentinel-0:26379', REDIS_SENTINEL_NAME: 'my master' },
        'REDIS_SENTINEL_NAME: expected the master group name the sentinels monitor, without spaces',
      );
    });

    it('SLACK_API_URL with a scheme Slack does not speak', () => {
      expectConfigError(
        { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: 'ftp://slack.example/api/' },
        'SLACK_API_URL: expected a URL starting with http:// or https://',
      );
    });

    it('OPENAI_BASE_URL that is not a URL', () => {
      expectConfigError({ OPENAI_BASE_URL: 'localhost:11434' }, 'OPENAI_BASE_URL: expected a URL starting with http:// or https://');
    });

    it.each(['65536', '-1', 'abc', '80.5'])('PORT=%s', (port) => {
      expectConfigError({ PORT: port }, 'PORT: expected a port number between 0 and 65535');
    });

    it('an Alertmanager webhook token too short to be a secret', () => {
      expectConfigError({ ALERTMANAGER_WEBHOOK_TOKEN: 'short' }, 'ALERTMANAGER_WEBHOOK_TOKEN: expected a bearer token of at least 16 characters');
    });

    it('a change-event webhook token too short to be a secret', () => {
      expectConfigError({ CHANGES_WEBHOOK_TOKEN: 'short' }, 'CHANGES_WEBHOOK_TOKEN: expected a bearer token of at least 16 characters');
    });

    it('an unknown LOG_LEVEL', () => {
      expectConfigError({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal');
    });

    it.each(['yesterday', '2026-11-24 14:55', '2026-11-24T14:55:00', '2026-13-40T00:00:00Z'])('AIOPS_SIM_START=%s', (start) => {
      expectConfigError({ AIOPS_SIM_START: start }, 'AIOPS_SIM_START: expected an ISO 8601 time with a zone, like 2026-11-24T14:55:00Z');
    });

    it.each(['0', '-2', 'fast', '3601'])('AIOPS_SIM_SPEED=%s', (speed) => {
      expectConfigError({ AIOPS_SIM_SPEED: speed }, 'AIOPS_SIM_SPEED: expected simulated seconds per real second, a number above 0 and at most 3600');
    });

    it('an unknown AIOPS_SCENARIO', () => {
      expectConfigError(
        { AIOPS_SCENARIO: 'meteor-strike' },
        'AIOPS_SCENARIO: expected one of db-pool-exhaustion, bad-deploy, memory-leak, traffic-surge, crash-loop, slow-dependency (aiops sim list describes them)',
      );
    });

    it('OPENAI_MODEL without a key or a base URL', () => {
      expectConfigError({ OPENAI_MODEL: 'gpt-4o' }, 'OPENAI_API_KEY: required with OPENAI_MODEL (or set OPENAI_BASE_URL for a local endpoint)');
    });
  });
});

describe('loadConfig: the catalogue named by AIOPS_CONFIG', () => {
  let directory: string;
  let fileCount = 0;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'aiops-config-test-'));
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function writeCatalogue(text: string): string {
    fileCount += 1;
    const path = join(directory, `catalogue-${fileCount}.yml`);
    writeFileSync(path, text);
    return path;
  }

  /** The example catalogue with one edit applied, written to its own file; returns the path. */
  function writeEditedExample(edit: (document: CatalogueDocument) => void): string {
    const document = parse(readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8')) as CatalogueDocument;
    edit(document);
    return writeCatalogue(stringify(document));
  }

  function expectCatalogueError(edit: (document: CatalogueDocument) => void, expectedAfterPath: string): void {
    const path = writeEditedExample(edit);
    expectConfigError({ AIOPS_CONFIG: path }, `AIOPS_CONFIG (${path}): ${expectedAfterPath}`);
  }

  it('loads an unedited copy of the example (so the failures below come from their edits)', () => {
    const path = writeEditedExample(() => {});
    const config = load({ AIOPS_CONFIG: path });
    expect(config.cataloguePath).toBe(path);
    expect(Object.keys(config.catalogue.services)).toEqual(EXAMPLE_SERVICES);
    expect(config.catalogue.elasticsearch.index).toBe('logs-*');
  });

  it('refuses a query template for an unknown signal', () => {
    expectCatalogueError(
      (document) => {
        document.prometheus.queries.latency_p99 = 'histogram_quantile(0.99, rate(x[{{window}}]))';
      },
      'prometheus.queries.latency_p99: unknown signal; expected one of cpu, memory, request_rate, error_rate, latency_p95, restarts',
    );
  });

  it("refuses a service's override for an unknown signal", () => {
    expectCatalogueError(
      (document) => {
        document.services.cart!.queries = { foo: 'up' };
      },
      'services.cart.queries.foo: unknown signal; expected one of cpu, memory, request_rate, error_rate, latency_p95, restarts',
    );
  });

  it('refuses an unknown placeholder', () => {
    expectCatalogueError(
      (document) => {
        document.prometheus.queries.memory = 'sum(container_memory_working_set_bytes{pod="{{pod}}"})';
      },
      'prometheus.queries.memory: unknown placeholder {{pod}}; expected one of {{service}}, {{namespace}}, {{deployment}}, {{window}}',
    );
  });

  it('refuses a catalogue missing the template of a standard signal', () => {
    expectCatalogueError(
      (document) => {
        delete document.prometheus.queries.restarts;
      },
      'prometheus.queries: missing template for restarts; every standard signal needs one',
    );
  });

  it('refuses a dependency on a service that is not catalogued', () => {
    expectCatalogueError(
      (document) => {
        document.services.cart!.dependencies = ['cache2'];
      },
      'services.cart.dependencies[0]: unknown service "cache2"; expected one of the catalogued services',
    );
  });

  it('reads the alerting section: group waits, maintenance windows with ISO times, escalation rules', () => {
    const path = writeEditedExample((document) => {
      document.alerting = {
        defaultChannel: '#ops-alerts',
        groupWait: { warning: '2m', critical: '0s' },
        maintenance: [{ services: ['database'], start: '2026-12-01T22:00:00Z', end: '2026-12-01T23:30:00Z', reason: 'Postgres upgrade' }],
        escalation: [{ name: 'unacknowledged critical', minimumSeverity: 'critical', unacknowledgedFor: '10m', notify: '<!subteam^S0123ABCD>' }],
      };
    });
    const { alerting } = load({ AIOPS_CONFIG: path }).catalogue;
    expect(alerting.defaultChannel).toBe('#ops-alerts');
    expect(alerting.groupWait).toEqual({ warning: 120_000, critical: 0 });
    expect(alerting.maintenance).toEqual([{ services: ['database'], start: Date.UTC(2026, 11, 1, 22), end: Date.UTC(2026, 11, 1, 23, 30), reason: 'Postgres upgrade' }]);
    expect(alerting.escalation).toEqual([{ name: 'unacknowledged critical', minimumSeverity: 'critical', unacknowledgedFor: 600_000, notify: '<!subteam^S0123ABCD>' }]);
  });

  it('refuses an alias that could mean two services, or is not a lower-case name', () => {
    expectCatalogueError(
      (document) => {
        document.services.cache!.aliases = ['database'];
      },
      'services.cache.aliases[0]: "database" is already the name or Deployment of service database; an alias means one service',
    );
    expectCatalogueError(
      (document) => {
        document.services.cache!.aliases = ['db'];
      },
      'services.cache.aliases[0]: "db" is also an alias of database; an alias means one service',
    );
    expectCatalogueError(
      (document) => {
        document.services.cache!.aliases = ['Redis Cache'];
      },
      'services.cache.aliases[0]: expected a lower-case name like db or orders',
    );
  });

  it('takes a service\'s runbook as an http(s) URL, and refuses any other scheme', () => {
    const path = writeEditedExample((document) => {
      (document.services.cache as Record<string, unknown>).runbook = 'https://wiki.example.com/runbooks/cache';
    });
    expect(load({ AIOPS_CONFIG: path }).catalogue.services.cache?.runbook).toBe('https://wiki.example.com/runbooks/cache');
    expectCatalogueError(
      (document) => {
        (document.services.cache as Record<string, unknown>).runbook = 'javascript:alert(1)';
      },
      'services.cache.runbook: expected a URL starting with https:// (or http://)',
    );
  });

  it('refuses a maintenance window on an unknown service, or ending before it starts', () => {
    expectCatalogueError(
      (document) => {
        document.alerting = { maintenance: [{ services: ['databse'], start: '2026-12-01T22:00:00Z', end: '2026-12-01T23:00:00Z' }] };
      },
      'alerting.maintenance[0].services[0]: unknown service "databse"; expected one of the catalogued services',
    );
    expectCatalogueError(
      (document) => {
        document.alerting = { maintenance: [{ services: 'all', start: '2026-12-01T22:00:00Z', end: '2026-12-01T21:00:00Z' }] };
      },
      'alerting.maintenance[0].end: expected end after start',
    );
  });

  it('refuses an escalation rule with a bad duration or without a condition', () => {
    expectCatalogueError(
      (document) => {
        document.alerting = { escalation: [{ name: 'slow', unacknowledgedFor: '10 minutes', notify: '<!here>' }] };
      },
      'alerting.escalation[0].unacknowledgedFor: expected a duration like 30s, 10m, 2h or 1d, got "10 minutes"',
    );
    expectCatalogueError(
      (document) => {
        document.alerting = { escalation: [{ name: 'always', notify: '<!here>' }] };
      },
      'alerting.escalation[0]: expected a condition: unacknowledgedFor and/or minimumServices',
    );
  });

  it('refuses to post to Slack without a catch-all channel, in one line naming the setting; without Slack nothing is refused', () => {
    const path = writeEditedExample((document) => {
      delete (document.alerting as Record<string, unknown>).defaultChannel;
    });
    const slack = { AIOPS_CONFIG: path, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test' };
    expectConfigError(
      slack,
      `AIOPS_CONFIG (${path}): alerting.defaultChannel: required with Slack configured: alerts that name no catalogued service (node, cluster or probe alerts from Alertmanager) are posted there; set a catch-all channel, e.g. defaultChannel: "#ops-alerts"`,
    );
    expect(load({ AIOPS_CONFIG: path }).catalogue.alerting.defaultChannel).toBeUndefined();
    // The example sets one, so the simulated world with Slack starts as shipped.
    expect(load({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test' }).catalogue.alerting.defaultChannel).toBe('#ops-alerts');
  });

  it('takes each paging receiver\'s key from AIOPS_PAGING_KEY_<NAME>, and refuses to start without one, naming the variable', () => {
    const path = writeEditedExample((document) => {
      document.paging = { receivers: { 'payments-oncall': { type: 'pagerduty' } }, routes: [{ receiver: 'payments-oncall', teams: ['payments'] }] };
    });
    expect(load({ AIOPS_CONFIG: path, AIOPS_PAGING_KEY_PAYMENTS_ONCALL: ' key-from-the-secret ' }).pagingKeys).toEqual({ 'payments-oncall': 'key-from-the-secret' });
    expectConfigError({ AIOPS_CONFIG: path }, `AIOPS_PAGING_KEY_PAYMENTS_ONCALL: required: the PagerDuty integration (routing) key of paging receiver "payments-oncall" in ${path}`);
    expect(load({}).pagingKeys).toEqual({});
  });

  it('reads extra severity spellings, and refuses one spelling under two severities', () => {
    const path = writeEditedExample((document) => {
      (document.alerting as Record<string, unknown>).severities = { critical: ['Blocker'], warning: ['high'] };
    });
    expect(load({ AIOPS_CONFIG: path }).catalogue.alerting.severities).toEqual({ critical: ['Blocker'], warning: ['high'], info: [] });
    expectCatalogueError(
      (document) => {
        (document.alerting as Record<string, unknown>).severities = { critical: ['sev-1'], info: ['SEV 1'] };
      },
      'alerting.severities.info[0]: "SEV 1" is also listed under critical; a spelling means one severity',
    );
  });

  it('refuses a channel that is neither a name nor an ID', () => {
    expectCatalogueError(
      (document) => {
        document.services['order-service']!.channel = 'shop orders';
      },
      'services.order-service.channel: expected a channel name like #orders or a channel ID like C0123ABCDEF',
    );
  });

  it('refuses a deployment name Kubernetes would refuse', () => {
    expectCatalogueError(
      (document) => {
        document.services.payment!.deployment = 'Payment_Service';
      },
      'services.payment.deployment: expected a Kubernetes name (lower-case letters, digits and -)',
    );
  });

  it('refuses a service name Kubernetes would refuse', () => {
    expectCatalogueError(
      (document) => {
        document.services.Front_End = document.services.frontend!;
        delete document.services.frontend;
      },
      'services.Front_End: expected a Kubernetes name (lower-case letters, digits and -)',
    );
  });

  it('refuses an unknown top-level key, which is usually a typo', () => {
    expectCatalogueError(
      (document) => {
        document.alerts = { channel: '#alerts' };
      },
      'Unrecognized key: "alerts"',
    );
  });

  it('refuses an unknown key in a service', () => {
    expectCatalogueError(
      (document) => {
        document.services.database!.owner = 'platform';
      },
      'services.database: Unrecognized key: "owner"',
    );
  });

  it('reports a YAML syntax error with its line and column', () => {
    const path = writeCatalogue('prometheus:\n  queries:\n    cpu: "unterminated\n');
    // The parser notices the missing quote where the file ends, on the line after the opening one.
    expectConfigError({ AIOPS_CONFIG: path }, `AIOPS_CONFIG (${path}): YAML syntax error at line 4, column 1: Missing closing "quote`);
  });

  it('reports the position of a badly indented mapping', () => {
    const path = writeCatalogue('services:\n  cart: 1\n   team: web\n');
    expectConfigError({ AIOPS_CONFIG: path }, `AIOPS_CONFIG (${path}): YAML syntax error at line 2, column 9: Nested mappings are not allowed in compact mappings`);
  });

  it('names the file it cannot find', () => {
    const path = join(directory, 'no-such-catalogue.yml');
    expectConfigError({ AIOPS_CONFIG: path }, `AIOPS_CONFIG (${path}): cannot read the catalogue: file not found`);
  });
});

describe('renderQuery', () => {
  const window = '90s';

  it('substitutes every placeholder of every standard template', () => {
    const { catalogue } = load({});
    for (const service of Object.values(catalogue.services)) {
      for (const signal of SIGNALS) {
        const query = renderQuery(catalogue, service, signal, { window });
        expect(query, `${service.name} ${signal}`).not.toMatch(/\{\{|\}\}/);
      }
    }
  });

  it('fills in the service, its namespace and the window', () => {
    const { catalogue } = load({});
    const query = renderQuery(catalogue, catalogue.services['order-service']!, 'request_rate', { window });
    expect(query).toBe('sum(rate(http_requests_total{namespace="shop",service="order-service"}[90s]))');
  });

  describe('with a per-service override', () => {
    let directory: string;

    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'aiops-render-test-'));
    });

    afterAll(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    it("uses the service's own template for that signal only, and the catalogue's elsewhere", () => {
      const document = parse(readFileSync(EXAMPLE_CATALOGUE_PATH, 'utf8')) as CatalogueDocument;
      // A deployment named differently from the service shows {{deployment}} and {{service}} apart;
      // the spaces inside the braces are allowed and must not survive substitution.
      document.services.cart = {
        ...document.services.cart,
        namespace: 'carts',
        deployment: 'cart-v2',
        queries: { latency_p95: 'histogram_quantile(0.95, rate(cart_seconds_bucket{ns="{{namespace}}",deploy="{{ deployment }}",svc="{{service}}"}[{{window}}]))' },
      };
      const path = join(directory, 'catalogue.yml');
      writeFileSync(path, stringify(document));
      const { catalogue } = load({ AIOPS_CONFIG: path });

      expect(renderQuery(catalogue, catalogue.services.cart!, 'latency_p95', { window: '5m' })).toBe(
        'histogram_quantile(0.95, rate(cart_seconds_bucket{ns="carts",deploy="cart-v2",svc="cart"}[5m]))',
      );
      expect(renderQuery(catalogue, catalogue.services.cart!, 'request_rate', { window })).toBe(
        'sum(rate(http_requests_total{namespace="carts",service="cart"}[90s]))',
      );
      expect(renderQuery(catalogue, catalogue.services.payment!, 'latency_p95', { window })).toBe(
        'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",service="payment"}[90s])))',
      );
    });
  });
});
