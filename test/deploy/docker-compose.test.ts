import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables, SECRET_VARIABLES } from './config-variables.js';
import { asArray, asObject, asStrings, type Json } from './json-shapes.js';
import { read } from './repository-files.js';

/**
 * deploy/docker-compose.yml, by its structure: there is no `docker compose` here to run
 * `config` on it, so what a user would notice (a bot without workers, a Redis that drops jobs, a
 * Prometheus that scrapes nothing or loads no rules) is checked on the parsed file.
 */
describe('deploy/docker-compose.yml', () => {
  const text = read('deploy/docker-compose.yml');
  const compose = asObject(parse(text, { merge: true }));
  const services = asObject(compose.services);
  const bot = asObject(services.bot);
  const worker = asObject(services.worker);
  const prometheus = asObject(services.prometheus);
  const environment = (service: Json) => asObject(service.environment);

  it('runs Redis with a health check, bounded memory and no eviction of BullMQ jobs, and says why', () => {
    const redis = asObject(services.redis);
    expect(String(redis.image)).toMatch(/^redis:/);
    expect(asArray(asObject(redis.healthcheck).test).join(' ')).toContain('ping');
    const command = asStrings(redis.command);
    expect(command[command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(command[command.indexOf('--maxmemory') + 1]).toMatch(/^(\d+[kmg]b?|\$\{AIOPS_REDIS_MAXMEMORY:-\d+[kmg]b?\})$/i);
    const comment = text.slice(text.indexOf('  redis:'), text.indexOf('    image: redis:'));
    expect(comment, 'the comment above redis says why noeviction').toMatch(/noeviction[^]*evict/);
  });

  it('runs the bot (aiops bot) and the workers (aiops worker) by default, so jobs always have a process to run them', () => {
    expect(asStrings(bot.command)).toEqual(['bot']);
    expect(asStrings(worker.command)).toEqual(['worker']);
    for (const service of [bot, worker]) expect(service.profiles, 'started by a plain `up`').toBeUndefined();
    expect(String(asObject(worker.deploy).replicas)).toMatch(/^(\d+|\$\{AIOPS_WORKERS:-[1-9]\d*\})$/);
    expect(worker.image).toBe(bot.image);
  });

  it('points both at the redis service, started once Redis is healthy', () => {
    for (const service of [bot, worker]) {
      const redisUrl = new URL(String(environment(service).REDIS_URL));
      expect(redisUrl.protocol).toBe('redis:');
      expect(String(asObject(services[redisUrl.hostname]).image)).toMatch(/^redis:/);
      expect(asObject(asObject(service.depends_on).redis).condition).toBe('service_healthy');
    }
  });

  it('says it needs Compose v2 where it uses what Compose v1 rejects (the top-level name:)', () => {
    if (!('name' in compose)) return;
    const header = text.split('\n').filter((line) => line.startsWith('#')).join('\n');
    expect(header).toMatch(/Compose v2/);
  });

  it('checks bot and workers on /healthz and publishes the bot\'s port 3000 only', () => {
    for (const service of [bot, worker]) expect(asArray(asObject(service.healthcheck).test).join(' ')).toContain('/healthz');
    expect(asStrings(bot.ports).some((port) => port.endsWith(':3000'))).toBe(true);
    expect(worker.ports, 'replicas cannot share a published port').toBeUndefined();
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

  it('runs Prometheus with deploy/monitoring/prometheus.yml and its rules file mounted where the config\'s rule_files finds it', () => {
    expect(String(prometheus.image)).toMatch(/^prom\/prometheus:v\d/);
    expect(prometheus.profiles, 'started by a plain `up`').toBeUndefined();
    const configPath = asStrings(prometheus.command).find((argument) => argument.startsWith('--config.file='))?.split('=')[1] ?? '';
    const mounts = new Map(asStrings(prometheus.volumes).map((volume) => volume.split(':')).map(([source = '', target = '']) => [target, source]));
    expect(mounts.get(configPath)).toBe('./monitoring/prometheus.yml');
    const config = asObject(parse(read('deploy/monitoring/prometheus.yml')));
    const configDirectory = configPath.slice(0, configPath.lastIndexOf('/'));
    for (const ruleFile of asStrings(config.rule_files)) {
      const target = ruleFile.startsWith('/') ? ruleFile : `${configDirectory}/${ruleFile}`;
      expect(mounts.get(target), `rule file ${ruleFile}`).toBe(`./monitoring/${ruleFile.split('/').at(-1)}`);
    }
    expect(asStrings(config.rule_files)).toContain('prometheus-rules.yaml');
  });

  it('has Prometheus scrape /metrics of the bot service and of every worker replica, as the jobs the rules select', () => {
    const config = asObject(parse(read('deploy/monitoring/prometheus.yml')));
    const jobs = new Map(asArray(config.scrape_configs).map(asObject).map((job) => [String(job.job_name), job]));
    expect([...jobs.keys()].sort()).toEqual(['aiops-bot', 'aiops-worker']);
    const targets = (job: Json | undefined) => [
      ...asArray(job?.static_configs).flatMap((entry) => asStrings(asObject(entry).targets)),
      ...asArray(job?.dns_sd_configs).flatMap((entry) => asStrings(asObject(entry).names).map((name) => `${name}:${String(asObject(entry).port)}`)),
    ];
    expect(targets(jobs.get('aiops-bot'))).toEqual(['bot:3000']);
    expect(targets(jobs.get('aiops-worker')), 'DNS discovery finds every replica').toEqual(['worker:3000']);
    expect(asObject(asArray(jobs.get('aiops-worker')?.dns_sd_configs)[0]).type).toBe('A');
    for (const job of jobs.values()) expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const rules = read('deploy/monitoring/prometheus-rules.yaml');
    for (const name of jobs.keys()) expect(rules, `the rules select job ${name}`).toContain(name);
  });

  it('offers Elasticsearch under a profile, and deploy/.env.example says how the bot reaches it', () => {
    const elasticsearch = asObject(services.elasticsearch);
    expect(String(elasticsearch.image)).toMatch(/elasticsearch:9\./);
    expect(asStrings(elasticsearch.profiles)).toEqual(['elasticsearch']);
    expect(environment(elasticsearch)['discovery.type']).toBe('single-node');
    expect(read('deploy/.env.example')).toMatch(/http:\/\/elasticsearch:9200/);
  });

});
