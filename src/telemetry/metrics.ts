import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ALERT_SEVERITIES, type AlertSeverity } from '../severity.js';

/** How an Alertmanager delivery ended, by the status it was answered with. */
export type WebhookOutcome = 'accepted' | 'invalid' | 'unauthorized' | 'too_large' | 'wrong_method' | 'unavailable' | 'error';
/** How a change-event delivery ended: an Alertmanager outcome, or a service not catalogued (422), a body not JSON (415), a notification that records nothing (200). */
export type ChangeWebhookOutcome = WebhookOutcome | 'unknown_service' | 'unsupported_media_type' | 'ignored';
/** Who answered a question: the root-cause engine, the agent, or the engine after the agent failed. */
export type QuestionPath = 'engine' | 'agent' | 'engine_fallback' | 'catalogue' | 'changes' | 'forecast' | 'logs' | 'incidents' | 'trends' | 'history' | 'capacity';
/** How a Slack Web API call ended: `ok: true`, `ok: false`, HTTP 429, another HTTP error, or no response at all. */
export type SlackCallOutcome = 'ok' | 'error' | 'rate_limited' | 'http_error' | 'network_error';
export type JobOutcome = 'completed' | 'failed';
/** Why a detection pass was skipped: its metrics source could not be read, or (back-pressure) the service's last pass is still running. */
export type PassSkipReason = 'source_unavailable' | 'busy';

/** One HTTP request to the model, as measured at the model's fetch (src/agent/chat-model.ts). */
export interface ModelCall {
  outcome: 'ok' | 'rate_limited' | 'http_error' | 'network_error';
  seconds: number;
  /** From the response's `usage`, when it gives one. */
  promptTokens?: number;
  completionTokens?: number;
}

/** The kinds of healing notices (src/healing/healing.ts), each what became of a request. */
export type HealingOutcome = 'requested' | 'already-requested' | 'not-proposed' | 'executed' | 'failed' | 'verified' | 'void';

export interface MetricsOptions {
  /**
   * The open incidents, read when Prometheus scrapes. Only the process that owns the incidents
   * (the bot role) should pass it: every replica would otherwise report the same incidents.
   */
  openIncidents?: () => Promise<ReadonlyArray<{ severity: AlertSeverity }>>;
  /**
   * Jobs per queue and state (waiting, active, delayed, failed), read when Prometheus scrapes. Like
   * openIncidents, for one role only (the bot): the queues are shared by every process.
   */
  queueDepths?: () => Promise<ReadonlyArray<{ queue: string; counts: Readonly<Record<string, number>> }>>;
  /**
   * The kept incidents by state (open, acknowledged, resolved, merged), read when Prometheus
   * scrapes; like openIncidents, for the bot role only.
   */
  incidentStates?: () => Promise<Readonly<Record<string, number>>>;
  /** Process and Node.js runtime metrics (CPU, memory, event-loop lag, GC, handles). Default true. */
  processMetrics?: boolean;
}

/** The queue states worth a series: a backlog, work in hand, retries waiting, and failures kept. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** What a BullMQ worker reports; only the events the job metrics need. */
export interface ObservedWorker {
  readonly name: string;
  on(event: 'completed', listener: (job: ObservedJob) => void): unknown;
  on(event: 'failed', listener: (job: ObservedJob | undefined) => void): unknown;
}

interface ObservedJob {
  /** When the job was added; with `delay`, when it became due (a scheduler adds the next run ahead of time). */
  timestamp?: number;
  delay?: number;
  /** Attempts so far, this one included once it has ended. */
  attemptsMade?: number;
  processedOn?: number;
  finishedOn?: number;
}

/** Buckets for a question's wall time: the engine answers in about a second, the agent within its 60 s limit. */
const QUESTION_BUCKETS_SECONDS = [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
/** Buckets for one job: a detection pass takes milliseconds, training and a cold log-mining hour seconds. */
const JOB_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Buckets for a job's wait and a detection cycle: within a second is healthy, past the minute a cycle is late. */
const WAIT_BUCKETS_SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 300];

/** The detection queue's name (src/jobs/queues.ts; the telemetry layer sits below jobs). */
const DETECTION_QUEUE = 'aiops-detection';

/**
 * The process's Prometheus metrics, served at `GET /metrics` in the text exposition format. One
 * registry per process (not prom-client's global one), built once at start-up and handed to the
 * parts that record: the webhook, the incident use cases, the Slack surface and the workers. Every
 * method is a plain increment or observation; nothing here does I/O except `openIncidents`,
 * called at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly webhookDeliveries: Counter<'outcome'>;
  private readonly changeDeliveries: Counter<'outcome'>;
  private readonly changeEvents: Counter<'result'>;
  private readonly alertsReceived: Counter<'status'>;
  private readonly anomaliesRaised: Counter<'kind' | 'severity'>;
  private readonly anomaliesSilenced: Counter<'kind'>;
  private readonly questionsAnswered: Counter<'path'>;
  private readonly questionsFailed: Counter;
  private readonly questionDuration: Histogram<'path'>;
  private readonly slackCalls: Counter<'method' | 'outcome'>;
  private readonly jobRuns: Counter<'queue' | 'outcome'>;
  private readonly jobDuration: Histogram<'queue'>;
  private readonly jobWait: Histogram<'queue'>;
  private readonly detectionCycle: Histogram;
  private readonly modelCalls: Counter<'outcome'>;
  private readonly modelDuration: Histogram;
  private readonly modelTokens: Counter<'kind'>;
  private readonly healingOutcomes: Counter<'outcome'>;
  private readonly pages: Counter<'receiver' | 'action' | 'outcome'>;
  private readonly sourcesUp: Gauge<'source'>;
  private readonly passesSkipped: Counter<'reason'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.webhookDeliveries = new Counter({ name: 'aiops_alertmanager_webhook_deliveries_total', help: 'Alertmanager webhook deliveries, by how they were answered.', labelNames: ['outcome'], registers });
    this.changeDeliveries = new Counter({ name: 'aiops_change_webhook_deliveries_total', help: 'Change-event webhook deliveries (POST /webhooks/changes), by how they were answered.', labelNames: ['outcome'], registers });
    this.changeEvents = new Counter({ name: 'aiops_change_events_received_total', help: 'Change events in accepted deliveries, by result (stored, duplicate, expired).', labelNames: ['result'], registers });
    this.alertsReceived = new Counter({ name: 'aiops_alertmanager_alerts_received_total', help: 'Alerts in accepted Alertmanager deliveries, by status (firing, resolved).', labelNames: ['status'], registers });
    this.anomaliesRaised = new Counter({ name: 'aiops_anomalies_raised_total', help: 'Anomalies the detectors raised (not silenced), by kind and severity.', labelNames: ['kind', 'severity'], registers });
    this.anomaliesSilenced = new Counter({ name: 'aiops_anomalies_silenced_total', help: 'Anomalies the detectors found while their service or incident was silenced.', labelNames: ['kind'], registers });
    this.questionsAnswered = new Counter({ name: 'aiops_questions_answered_total', help: 'Questions answered in Slack, by who answered: engine, agent, engine_fallback (the agent failed), catalogue (who owns, who is paged, what calls what), changes (what changed), forecast, logs, incidents, trends, history or capacity (what the /aiops command of that name shows, asked for in words).', labelNames: ['path'], registers });
    this.questionsFailed = new Counter({ name: 'aiops_questions_failed_total', help: 'Questions whose answer could not be finished (the investigation or the reply failed).', registers });
    this.questionDuration = new Histogram({ name: 'aiops_question_duration_seconds', help: 'Time from a question to its answer, by who answered.', labelNames: ['path'], buckets: QUESTION_BUCKETS_SECONDS, registers });
    this.slackCalls = new Counter({ name: 'aiops_slack_api_calls_total', help: 'Slack Web API calls, by method and outcome (ok, error, rate_limited, http_error, network_error).', labelNames: ['method', 'outcome'], registers });
    this.jobRuns = new Counter({ name: 'aiops_job_runs_total', help: 'Job runs (attempts) by queue and outcome.', labelNames: ['queue', 'outcome'], registers });
    this.jobDuration = new Histogram({ name: 'aiops_job_duration_seconds', help: 'Time one job run took, by queue.', labelNames: ['queue'], buckets: JOB_BUCKETS_SECONDS, registers });
    this.jobWait = new Histogram({ name: 'aiops_job_wait_seconds', help: 'Time from when a job became due to when a worker took it, by queue: grows when the workers fall behind.', labelNames: ['queue'], buckets: WAIT_BUCKETS_SECONDS, registers });
    this.detectionCycle = new Histogram({ name: 'aiops_detection_cycle_seconds', help: "Time from when a service's detection pass became due to when it finished: over 60 s, detection runs late.", buckets: WAIT_BUCKETS_SECONDS, registers });
    this.modelCalls = new Counter({ name: 'aiops_llm_calls_total', help: 'HTTP requests to the LLM, retries included, by outcome (ok, rate_limited, http_error, network_error).', labelNames: ['outcome'], registers });
    this.modelDuration = new Histogram({ name: 'aiops_llm_call_duration_seconds', help: 'Time one HTTP request to the LLM took.', buckets: QUESTION_BUCKETS_SECONDS, registers });
    this.modelTokens = new Counter({ name: 'aiops_llm_tokens_total', help: 'Tokens the LLM reported using, by kind (prompt, completion).', labelNames: ['kind'], registers });
    this.pages = new Counter({ name: 'aiops_pages_total', help: 'Calls to paging receivers (PagerDuty, Opsgenie), by receiver, action (trigger, acknowledge, resolve) and outcome (delivered, retry, rejected).', labelNames: ['receiver', 'action', 'outcome'], registers });
    this.healingOutcomes = new Counter({ name: 'aiops_healing_actions_total', help: 'What became of remediation requests, by outcome (requested, not_proposed, executed, verified, failed, void).', labelNames: ['outcome'], registers });
    this.sourcesUp = new Gauge({ name: 'aiops_source_up', help: "Whether this process's last detection pass could read the source (1) or not (0), by source (metrics); absent before the first pass.", labelNames: ['source'], registers });
    this.passesSkipped = new Counter({ name: 'aiops_detection_passes_skipped_total', help: 'Detection passes skipped, by reason (source_unavailable: the metrics source could not be read; busy: the last pass still runs).', labelNames: ['reason'], registers });
    const openIncidents = options.openIncidents;
    if (openIncidents) {
      new Gauge({
        name: 'aiops_incidents_open',
        help: 'Open incidents, by severity (read from Redis at scrape time; absent when Redis cannot be read).',
        labelNames: ['severity'],
        registers,
        async collect() {
          this.reset();
          const incidents = await openIncidents().catch(() => undefined);
          if (!incidents) return;
          for (const severity of ALERT_SEVERITIES) this.set({ severity }, incidents.filter((incident) => incident.severity === severity).length);
        },
      });
    }
    const incidentStates = options.incidentStates;
    if (incidentStates) {
      new Gauge({
        name: 'aiops_incidents',
        help: 'Kept incidents by state: open (nobody on it yet), acknowledged, resolved, merged (read from Redis at scrape time; absent when Redis cannot be read).',
        labelNames: ['state'],
        registers,
        async collect() {
          this.reset();
          const counts = await incidentStates().catch(() => undefined);
          for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
        },
      });
    }
    const queueDepths = options.queueDepths;
    if (queueDepths) {
      new Gauge({
        name: 'aiops_queue_jobs',
        help: 'Jobs in each queue, by state (read from Redis at scrape time; absent when Redis cannot be read).',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          this.reset();
          const depths = await queueDepths().catch(() => undefined);
          for (const { queue, counts } of depths ?? []) for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
        },
      });
    }
  }

  /** The `Content-Type` of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus's text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  webhookDelivery(outcome: WebhookOutcome, alerts: ReadonlyArray<{ status: 'firing' | 'resolved' }> = []): void {
    this.webhookDeliveries.inc({ outcome });
    for (const alert of alerts) this.alertsReceived.inc({ status: alert.status });
  }

  changeWebhookDelivery(outcome: ChangeWebhookOutcome, written: { stored: number; duplicates: number; expired: number } = { stored: 0, duplicates: 0, expired: 0 }): void {
    this.changeDeliveries.inc({ outcome });
    if (written.stored > 0) this.changeEvents.inc({ result: 'stored' }, written.stored);
    if (written.duplicates > 0) this.changeEvents.inc({ result: 'duplicate' }, written.duplicates);
    if (written.expired > 0) this.changeEvents.inc({ result: 'expired' }, written.expired);
  }

  anomalyRaised(anomaly: { kind: string; severity: string }): void {
    this.anomaliesRaised.inc({ kind: anomaly.kind, severity: anomaly.severity });
  }

  anomalySilenced(anomaly: { kind: string }): void {
    this.anomaliesSilenced.inc({ kind: anomaly.kind });
  }

  questionAnswered(path: QuestionPath, seconds: number): void {
    this.questionsAnswered.inc({ path });
    this.questionDuration.observe({ path }, seconds);
  }

  questionFailed(): void {
    this.questionsFailed.inc();
  }

  slackApiCall(method: string, outcome: SlackCallOutcome): void {
    this.slackCalls.inc({ method, outcome });
  }

  jobRun(queue: string, outcome: JobOutcome, seconds?: number): void {
    this.jobRuns.inc({ queue, outcome });
    if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) this.jobDuration.observe({ queue }, seconds);
  }

  modelCall(call: ModelCall): void {
    this.modelCalls.inc({ outcome: call.outcome });
    this.modelDuration.observe(call.seconds);
    if (call.promptTokens !== undefined) this.modelTokens.inc({ kind: 'prompt' }, call.promptTokens);
    if (call.completionTokens !== undefined) this.modelTokens.inc({ kind: 'completion' }, call.completionTokens);
  }

  /** A healing notice's kind as an outcome; a second click on a request already made is no new outcome. */
  healingOutcome(kind: HealingOutcome): void {
    if (kind === 'already-requested') return;
    this.healingOutcomes.inc({ outcome: kind.replace(/-/g, '_') });
  }

  /** Whether a pass of this process could read `source` (`metrics`): aiops_source_up. */
  pageSent(receiver: string, action: string, outcome: string): void {
    this.pages.inc({ receiver, action, outcome });
  }

  sourceUp(source: string, up: boolean): void {
    this.sourcesUp.set({ source }, up ? 1 : 0);
  }

  detectionPassSkipped(reason: PassSkipReason): void {
    this.passesSkipped.inc({ reason });
  }

  /** Counts a worker's job runs (every attempt) and times them, their wait and, for detection, the whole cycle, from its own events. */
  observeWorker(worker: ObservedWorker): void {
    const seconds = (job: ObservedJob | undefined) => (job?.processedOn === undefined ? undefined : ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    const due = (job: ObservedJob) => (job.timestamp === undefined ? undefined : job.timestamp + (job.delay ?? 0));
    const observeSince = (histogram: Histogram<string>, labels: Record<string, string>, since: number | undefined, until: number | undefined) => {
      if (since !== undefined && until !== undefined && until >= since) histogram.observe(labels, (until - since) / 1000);
    };
    worker.on('completed', (job) => {
      this.jobRun(worker.name, 'completed', seconds(job));
      // A retried job's wait would include its failures and backoff: only first attempts say how far behind the workers are.
      if ((job.attemptsMade ?? 0) > 1) return;
      observeSince(this.jobWait, { queue: worker.name }, due(job), job.processedOn);
      if (worker.name === DETECTION_QUEUE) observeSince(this.detectionCycle, {}, due(job), job.finishedOn ?? Date.now());
    });
    worker.on('failed', (job) => this.jobRun(worker.name, 'failed', seconds(job)));
  }
}
