import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceWorker } from '../../src/jobs/workers/service-worker.js';
import { queueConnection } from '../../src/state/state.js';
import { silentLogger } from '../../src/logger.js';
import { countIncidentStates, INCIDENT_STATES } from '../../src/incidents/incident-states.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { metricType, parseExposition, sampleValue } from '../support/exposition.js';
import { testRedis } from '../support/test-redis.js';

const { url: REDIS_URL, redis, database } = await testRedis();
const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port), db: database, maxRetriesPerRequest: null };

afterAll(() => {
  redis.disconnect();
});

describe('Metrics', () => {
  it('declares every domain metric with HELP and TYPE, and no sample before anything happened', async () => {
    const text = await new Metrics({ processMetrics: false }).render();
    const expected: Record<string, string> = {
      aiops_alertmanager_webhook_deliveries_total: 'counter',
      aiops_alertmanager_alerts_received_total: 'counter',
      aiops_anomalies_raised_total: 'counter',
      aiops_anomalies_silenced_total: 'counter',
      aiops_questions_answered_total: 'counter',
      aiops_questions_failed_total: 'counter',
      aiops_question_duration_seconds: 'histogram',
      aiops_slack_api_calls_total: 'counter',
      aiops_job_runs_total: 'counter',
      aiops_job_duration_seconds: 'histogram',
      aiops_job_wait_seconds: 'histogram',
      aiops_detection_cycle_seconds: 'histogram',
      aiops_llm_calls_total: 'counter',
      aiops_llm_call_duration_seconds: 'histogram',
      aiops_llm_tokens_total: 'counter',
      aiops_healing_actions_total: 'counter',
      aiops_source_up: 'gauge',
      aiops_detection_passes_skipped_total: 'counter',
    };
    for (const [name, type] of Object.entries(expected)) {
      expect(metricType(text, name), name).toBe(type);
      expect(text, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    }
    // Only the unlabelled series have samples (0); labelled series appear when first counted.
    const unlabelled = ['aiops_questions_failed_total', 'aiops_llm_call_duration_seconds', 'aiops_detection_cycle_seconds'];
    const sampled = parseExposition(text).filter((sample) => sample.value !== 0 || !unlabelled.some((name) => sample.name === name || sample.name.startsWith(`${name}_`)));
    expect(sampled).toEqual([]);
    expect(sampleValue(text, 'aiops_questions_failed_total')).toBe(0);
    expect(text).not.toContain('process_cpu_seconds_total');
  });

  it('reads each queue’s jobs by state from Redis when scraped, and leaves the series out when Redis cannot be read', async () => {
    const queueName = `depth-${randomUUID()}`;
    const queue = new Queue(queueName, queueConnection(connection, `test:${randomUUID()}:bull`));
    try {
      await queue.add('run', { service: 'cart' });
      await queue.add('run', { service: 'orders' });
      await queue.add('run', { service: 'later' }, { delay: 60_000 });
      const metrics = new Metrics({ processMetrics: false, queueDepths: async () => [{ queue: queue.name, counts: await queue.getJobCounts('waiting', 'active', 'delayed', 'failed') }] });
      const text = await metrics.render();
      expect(metricType(text, 'aiops_queue_jobs')).toBe('gauge');
      expect(sampleValue(text, 'aiops_queue_jobs', { queue: queueName, state: 'waiting' })).toBe(2);
      expect(sampleValue(text, 'aiops_queue_jobs', { queue: queueName, state: 'delayed' })).toBe(1);
      expect(sampleValue(text, 'aiops_queue_jobs', { queue: queueName, state: 'failed' })).toBe(0);
      const unreadable = new Metrics({ processMetrics: false, queueDepths: () => Promise.reject(new Error('Connection is closed')) });
      expect(parseExposition(await unreadable.render()).filter((sample) => sample.name === 'aiops_queue_jobs')).toEqual([]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('counts healing outcomes, but not a second click on a request already made', async () => {
    const metrics = new Metrics({ processMetrics: false });
    for (const kind of ['requested', 'already-requested', 'executed', 'verified', 'not-proposed'] as const) metrics.healingOutcome(kind);
    const text = await metrics.render();
    expect(sampleValue(text, 'aiops_healing_actions_total', { outcome: 'requested' })).toBe(1);
    expect(sampleValue(text, 'aiops_healing_actions_total', { outcome: 'not_proposed' })).toBe(1);
    expect(sampleValue(text, 'aiops_healing_actions_total', { outcome: 'verified' })).toBe(1);
    expect(text).not.toMatch(/outcome="already/);
  });

  it('counts what it is told, by label', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.webhookDelivery('accepted', [{ status: 'firing' }, { status: 'resolved' }, { status: 'firing' }]);
    metrics.webhookDelivery('invalid');
    metrics.anomalyRaised({ kind: 'anomaly', severity: 'critical' });
    metrics.anomalySilenced({ kind: 'predictive' });
    metrics.questionAnswered('agent', 12);
    metrics.questionAnswered('engine_fallback', 61);
    metrics.slackApiCall('chat.update', 'rate_limited');
    metrics.jobRun('aiops-logs', 'failed', 0.3);
    const text = await metrics.render();
    expect(sampleValue(text, 'aiops_alertmanager_webhook_deliveries_total', { outcome: 'accepted' })).toBe(1);
    expect(sampleValue(text, 'aiops_alertmanager_webhook_deliveries_total', { outcome: 'invalid' })).toBe(1);
    expect(sampleValue(text, 'aiops_alertmanager_alerts_received_total', { status: 'firing' })).toBe(2);
    expect(sampleValue(text, 'aiops_alertmanager_alerts_received_total', { status: 'resolved' })).toBe(1);
    expect(sampleValue(text, 'aiops_anomalies_raised_total', { kind: 'anomaly', severity: 'critical' })).toBe(1);
    expect(sampleValue(text, 'aiops_anomalies_silenced_total', { kind: 'predictive' })).toBe(1);
    expect(sampleValue(text, 'aiops_question_duration_seconds_bucket', { path: 'agent', le: '10' })).toBe(0);
    expect(sampleValue(text, 'aiops_question_duration_seconds_bucket', { path: 'agent', le: '20' })).toBe(1);
    expect(sampleValue(text, 'aiops_questions_answered_total', { path: 'engine_fallback' })).toBe(1);
    expect(sampleValue(text, 'aiops_slack_api_calls_total', { method: 'chat.update', outcome: 'rate_limited' })).toBe(1);
    expect(sampleValue(text, 'aiops_job_runs_total', { queue: 'aiops-logs', outcome: 'failed' })).toBe(1);
    expect(sampleValue(text, 'aiops_job_duration_seconds_sum', { queue: 'aiops-logs' })).toBeCloseTo(0.3);
  });

  it('shows whether this process could read its metrics source, and the detection passes it skipped, by reason', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.sourceUp('metrics', false);
    metrics.detectionPassSkipped('source_unavailable');
    metrics.detectionPassSkipped('source_unavailable');
    let text = await metrics.render();
    expect(sampleValue(text, 'aiops_source_up', { source: 'metrics' })).toBe(0);
    expect(sampleValue(text, 'aiops_detection_passes_skipped_total', { reason: 'source_unavailable' })).toBe(2);
    metrics.sourceUp('metrics', true);
    text = await metrics.render();
    expect(sampleValue(text, 'aiops_source_up', { source: 'metrics' })).toBe(1);
  });

  it('reads open incidents at scrape time, every severity shown, and leaves the gauge out when they cannot be read', async () => {
    let incidents: Array<{ severity: 'info' | 'warning' | 'critical' }> | Error = [{ severity: 'critical' }, { severity: 'warning' }, { severity: 'critical' }];
    const metrics = new Metrics({ processMetrics: false, openIncidents: async () => (incidents instanceof Error ? Promise.reject(incidents) : incidents) });
    let text = await metrics.render();
    expect(sampleValue(text, 'aiops_incidents_open', { severity: 'critical' })).toBe(2);
    expect(sampleValue(text, 'aiops_incidents_open', { severity: 'warning' })).toBe(1);
    expect(sampleValue(text, 'aiops_incidents_open', { severity: 'info' })).toBe(0);
    incidents = [];
    text = await metrics.render();
    expect(sampleValue(text, 'aiops_incidents_open', { severity: 'critical' })).toBe(0);
    incidents = new Error('redis: connection refused');
    text = await metrics.render();
    expect(sampleValue(text, 'aiops_incidents_open')).toBeUndefined();
    expect(sampleValue(text, 'aiops_questions_failed_total')).toBe(0);
  });

  it('counts kept incidents by state at scrape time: open, acknowledged, resolved, merged', async () => {
    const kept = [
      { id: 'INC-1', status: 'open' as const },
      { id: 'INC-2', status: 'open' as const },
      { id: 'INC-3', status: 'resolved' as const },
      { id: 'INC-4', status: 'resolved' as const, mergedInto: 'INC-1' },
    ];
    const metrics = new Metrics({ processMetrics: false, incidentStates: async () => countIncidentStates(kept, new Set(['INC-2', 'INC-3'])) });
    const text = await metrics.render();
    expect(Object.fromEntries(INCIDENT_STATES.map((state) => [state, sampleValue(text, 'aiops_incidents', { state })]))).toEqual({ open: 1, acknowledged: 1, resolved: 1, merged: 1 });
  });

  it('has no incidents gauge where no open incidents are given (a worker)', async () => {
    expect(await new Metrics({ processMetrics: false }).render()).not.toContain('aiops_incidents_open');
  });

  it('adds process and Node.js metrics by default', async () => {
    const text = await new Metrics().render();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(sampleValue(text, name), name).toEqual(expect.any(Number));
    }
  });

  it('counts a real BullMQ worker\'s runs by queue and outcome, every failed attempt included, and times them', async () => {
    const prefix = `test:${randomUUID()}:`;
    const queueName = `metrics-${randomUUID()}`;
    const queues = queueConnection(connection, prefix);
    const queue = new Queue(queueName, queues);
    const events = new QueueEvents(queueName, queues);
    const worker = startServiceWorker({
      queueName,
      connection: queues,
      logger: silentLogger(),
      process: async (service) => {
        if (service === 'broken') throw new Error('no such deployment');
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    });
    const metrics = new Metrics({ processMetrics: false });
    metrics.observeWorker(worker);
    try {
      await events.waitUntilReady();
      const good = await queue.add('run', { service: 'cart' });
      const bad = await queue.add('run', { service: 'broken' }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
      await good.waitUntilFinished(events, 10_000);
      await expect(bad.waitUntilFinished(events, 10_000)).rejects.toThrow(/no such deployment/);
      // QueueEvents can hear of the end before the worker's own event has run.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const text = await metrics.render();
      expect(sampleValue(text, 'aiops_job_runs_total', { queue: queueName, outcome: 'completed' })).toBe(1);
      expect(sampleValue(text, 'aiops_job_runs_total', { queue: queueName, outcome: 'failed' })).toBe(2);
      expect(sampleValue(text, 'aiops_job_duration_seconds_count', { queue: queueName })).toBe(3);
      expect(sampleValue(text, 'aiops_job_duration_seconds_sum', { queue: queueName })).toBeGreaterThanOrEqual(0.02);
      // Waits are for first attempts only: the retried job's would count its failure and backoff.
      expect(sampleValue(text, 'aiops_job_wait_seconds_count', { queue: queueName })).toBe(1);
      expect(sampleValue(text, 'aiops_detection_cycle_seconds_count')).toBe(0);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('times a detection cycle from when the pass became due to when it finished', async () => {
    const queues = queueConnection(connection, `test:${randomUUID()}:`);
    const queue = new Queue('aiops-detection', queues);
    const events = new QueueEvents('aiops-detection', queues);
    const worker = startServiceWorker({ queueName: 'aiops-detection', connection: queues, logger: silentLogger(), process: () => new Promise((resolve) => setTimeout(resolve, 50)) });
    const metrics = new Metrics({ processMetrics: false });
    metrics.observeWorker(worker);
    try {
      await events.waitUntilReady();
      const job = await queue.add('detect', { service: 'cart' }, { delay: 200 });
      await job.waitUntilFinished(events, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const text = await metrics.render();
      expect(sampleValue(text, 'aiops_detection_cycle_seconds_count')).toBe(1);
      // The pass itself is inside the cycle; the 200 ms before it was due are not.
      expect(sampleValue(text, 'aiops_detection_cycle_seconds_sum')).toBeGreaterThanOrEqual(0.05);
      expect(sampleValue(text, 'aiops_job_wait_seconds_count', { queue: 'aiops-detection' })).toBe(1);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
