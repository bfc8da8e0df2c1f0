import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HEALING_QUEUES } from '../../src/jobs/healing-jobs.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { skipWithout } from '../support/requirements.js';
import { asArray, asObject, asStrings, type Json } from './json-shapes.js';
import { labelMatchersIn, metricNamesIn } from './promql-selectors.js';
import { metricsUnion, registeredSeriesNames } from './registered-metrics.js';
import { read, REPOSITORY_ROOT } from './repository-files.js';

/**
 * deploy/monitoring: Prometheus alerting rules on the bot itself, the Prometheus config compose
 * runs, and a Grafana dashboard. A rule or panel on a metric the bot does not export, or on a
 * label value it never sets, would stay silent or empty forever; these tests name such a metric
 * or value. promtool (Debian's prometheus package; CI installs it) checks the syntax and runs the
 * rules' unit tests.
 */

/** Series Prometheus adds itself, beside those the bot exports. */
const PROMETHEUS_SERIES = new Set(['up']);

/** The label values the code sets, by metric and label: a matcher on anything else never matches. */
const LABEL_VALUES: Record<string, Record<string, string[]>> = {
  aiops_alertmanager_webhook_deliveries_total: { outcome: metricsUnion('WebhookOutcome') },
  aiops_slack_api_calls_total: { outcome: metricsUnion('SlackCallOutcome') },
  aiops_job_runs_total: { outcome: metricsUnion('JobOutcome'), queue: [...Object.values(QUEUE_NAMES), ...Object.values(HEALING_QUEUES)] },
  aiops_job_duration_seconds_bucket: { queue: [...Object.values(QUEUE_NAMES), ...Object.values(HEALING_QUEUES)] },
  aiops_questions_answered_total: { path: metricsUnion('QuestionPath') },
  aiops_question_duration_seconds_bucket: { path: metricsUnion('QuestionPath') },
  aiops_alertmanager_alerts_received_total: { status: ['firing', 'resolved'] },
};

/** Each value a matcher can match: `a|b` of a regex matcher, as written; Grafana variables are left out. */
function matchedValues(operator: string, value: string): string[] {
  if (value.includes('$')) return [];
  return operator.endsWith('~') ? value.split('|') : [value];
}

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let seriesNames: Set<string>;

beforeAll(async () => {
  seriesNames = new Set([...(await registeredSeriesNames()), ...PROMETHEUS_SERIES]);
});

/** What is wrong with an expression: metrics the bot does not export, label values it never sets. */
function expressionProblems(expression: string): string[] {
  const problems = metricNamesIn(expression).filter((name) => !seriesNames.has(name)).map((name) => `unknown metric ${name}`);
  for (const { metric, label, operator, value } of labelMatchersIn(expression)) {
    const known = LABEL_VALUES[metric]?.[label];
    if (!known || operator.startsWith('!')) continue;
    for (const each of matchedValues(operator, value)) if (!known.includes(each)) problems.push(`${metric}{${label}="${each}"}: the code sets ${label} to ${known.join(', ')}`);
  }
  return problems;
}

describe('PromQL reading', () => {
  it('finds the metrics of an expression, not its functions, keywords, labels, durations or variables', () => {
    const expression = 'histogram_quantile(0.95, sum by (queue, le) (rate(aiops_job_duration_seconds_bucket{job=~"$job", queue="a"}[$__rate_interval]))) > 1e3 unless on (instance) up offset 5m';
    expect(metricNamesIn(expression)).toEqual(['aiops_job_duration_seconds_bucket', 'up']);
    expect(labelMatchersIn(expression)).toEqual([
      { metric: 'aiops_job_duration_seconds_bucket', label: 'job', operator: '=~', value: '$job' },
      { metric: 'aiops_job_duration_seconds_bucket', label: 'queue', operator: '=', value: 'a' },
    ]);
  });

  it('knows the series the bot exports, histograms by their _bucket series', () => {
    for (const name of ['aiops_incidents_open', 'aiops_job_runs_total', 'aiops_job_duration_seconds_bucket', 'aiops_question_duration_seconds_bucket', 'process_cpu_seconds_total']) expect(seriesNames).toContain(name);
    expect(seriesNames).not.toContain('aiops_job_duration_seconds');
    expect(expressionProblems('rate(aiops_job_runs_total{outcome="failure"}[5m]) + aiops_jobs_total')).toEqual([
      'unknown metric aiops_jobs_total',
      'aiops_job_runs_total{outcome="failure"}: the code sets outcome to completed, failed',
    ]);
  });
});

describe('deploy/monitoring/prometheus-rules.yaml', () => {
  const file = 'deploy/monitoring/prometheus-rules.yaml';
  const groups = asArray(asObject(parse(read(file))).groups).map(asObject);
  const rules = groups.flatMap((group) => asArray(group.rules).map(asObject));
  const byName = new Map(rules.map((rule) => [String(rule.alert), rule]));

  it('alerts on the bot down or not ready, webhook rejections, Slack 429s and errors, failing and slow jobs, slow questions', () => {
    expect(groups.map((group) => group.name)).toEqual(['aiops-availability', 'aiops-webhook', 'aiops-slack', 'aiops-jobs', 'aiops-questions']);
    for (const name of ['AiopsBotDown', 'AiopsBotNotReady', 'AiopsWebhookRejecting', 'AiopsSlackRateLimited', 'AiopsSlackErrors', 'AiopsJobsFailing', 'AiopsJobsSlow', 'AiopsQuestionsSlow']) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.size, 'alert names are unique').toBe(rules.length);
  });

  it('gives every alert a severity, a summary and a description, and only alerts (no recording rules)', () => {
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^Aiops[A-Z]\w+$/);
      expect(['critical', 'warning'], String(rule.alert)).toContain(asObject(rule.labels).severity);
      expect(String(asObject(rule.annotations).summary), String(rule.alert)).toMatch(/\S/);
      expect(String(asObject(rule.annotations).description).length, String(rule.alert)).toBeGreaterThan(20);
    }
  });

  it('reads only metrics the bot exports (and up), with label values the code sets', () => {
    for (const rule of rules) expect(expressionProblems(String(rule.expr)), String(rule.alert)).toEqual([]);
  });

  it('counts job failures per queue, and selects the scrape jobs prometheus.yml defines', () => {
    expect(String(byName.get('AiopsJobsFailing')?.expr)).toMatch(/sum by \(queue\)/);
    const jobs = asArray(asObject(parse(read('deploy/monitoring/prometheus.yml'))).scrape_configs).map((job) => String(asObject(job).job_name));
    for (const rule of rules) {
      for (const { label, operator, value } of labelMatchersIn(String(rule.expr))) {
        if (label !== 'job') continue;
        for (const job of matchedValues(operator, value)) expect(jobs, `${String(rule.alert)}: job ${job}`).toContain(job);
      }
    }
  });

  it.skipIf(skipWithout('prometheus', 'promtool check rules'))('passes promtool check rules and the rules\' unit tests', () => {
    const check = promtool('check', 'rules', file);
    expect(check.output).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    expect(check.status, check.output).toBe(0);
    const tests = promtool('test', 'rules', 'deploy/monitoring/prometheus-rules.test.yaml');
    expect(tests.status, tests.output).toBe(0);
  });

  it('has unit tests for the alerts a user would first miss', () => {
    const tested = new Set(asArray(asObject(parse(read('deploy/monitoring/prometheus-rules.test.yaml'))).tests).flatMap((test) => asArray(asObject(test).alert_rule_test).map((entry) => String(asObject(entry).alertname))));
    for (const name of ['AiopsBotDown', 'AiopsBotNotReady', 'AiopsSlackRateLimited', 'AiopsJobsFailing', 'AiopsWebhookRejecting', 'AiopsDetectionStopped']) expect(tested, name).toContain(name);
    for (const name of tested) expect(byName.has(name), `tested alert ${name} exists`).toBe(true);
  });
});

describe('deploy/monitoring/prometheus.yml', () => {
  it.skipIf(skipWithout('prometheus', 'promtool check config'))('passes promtool check config, which also loads its rules file', () => {
    const check = promtool('check', 'config', 'deploy/monitoring/prometheus.yml');
    expect(check.status, check.output).toBe(0);
    expect(check.output).toMatch(/SUCCESS: 1 rule files found/);
  });
});

describe('deploy/monitoring/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(read('deploy/monitoring/grafana-dashboard.json')) as Json;
  const panels = asArray(dashboard.panels).map(asObject);
  const graphs = panels.filter((panel) => panel.type !== 'row');
  const targets = graphs.flatMap((panel) => asArray(panel.targets).map((target): Json & { panel: string } => ({ ...asObject(target), panel: String(panel.title) })));

  it('is a current dashboard (schemaVersion 39) with a stable uid and a Prometheus data source variable', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toBe('aiops-bot');
    const variables = asArray(asObject(dashboard.templating).list).map(asObject);
    expect(variables.find((variable) => variable.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it('queries the data source variable in every panel and target', () => {
    for (const panel of graphs) expect(panel.datasource, String(panel.title)).toEqual({ type: 'prometheus', uid: '${datasource}' });
    for (const target of targets) expect(target.datasource, target.panel).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('shows incidents, webhook deliveries and Slack calls by outcome, jobs per queue, question latency, memory and CPU', () => {
    const titles = graphs.map((panel) => String(panel.title));
    for (const title of ['Open incidents', 'Webhook deliveries by outcome', 'Slack API calls by outcome', 'Job runs by queue and outcome', 'Job duration by queue (p50, p95)', 'Question latency (p50, p95)', 'Memory', 'CPU']) {
      expect(titles).toContain(title);
    }
    const expressions = (title: string) => targets.filter((target) => target.panel === title).map((target) => String(target.expr)).join(' ');
    expect(expressions('Webhook deliveries by outcome')).toMatch(/by \(outcome\)/);
    expect(expressions('Slack API calls by outcome')).toMatch(/by \(outcome\)/);
    expect(expressions('Job runs by queue and outcome')).toMatch(/by \(queue, outcome\)/);
    expect(expressions('Job duration by queue (p50, p95)')).toMatch(/by \(queue, le\)/);
  });

  it('reads only metrics the bot exports (and up), with label values the code sets', () => {
    expect(targets.length).toBeGreaterThan(10);
    for (const target of targets) expect(expressionProblems(String(target.expr)), `${target.panel}: ${String(target.expr)}`).toEqual([]);
  });

  it('lays out panels with unique ids on a 24-column grid without overlaps', () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const panel of panels) {
      const { x = 0, y = 0, w = 0, h = 0 } = asObject(panel.gridPos) as Record<string, number>;
      expect(x + w, String(panel.title)).toBeLessThanOrEqual(24);
      for (let column = x; column < x + w; column += 1) {
        for (let row = y; row < y + h; row += 1) {
          expect(cells.has(`${column},${row}`), `${String(panel.title)} overlaps at ${column},${row}`).toBe(false);
          cells.add(`${column},${row}`);
        }
      }
    }
    expect(asStrings(dashboard.tags)).toContain('aiops');
  });
});
