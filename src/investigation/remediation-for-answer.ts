import type { Catalogue } from '../catalogue.js';
import type { Anomaly } from '../detection/anomaly.js';
import { actionForFault } from '../healing/healing-policy.js';
import { scaleBounds } from '../healing/plans/scale-plan.js';
import type { RemediationRequest } from '../remediation-vocabulary.js';
import { maximumSeverity, type AlertSeverity } from '../severity.js';
import { isSignal } from '../signals.js';
import type { Cluster } from '../sources/cluster.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { SignalReading } from '../state/remediation-requests.js';
import type { Answer } from './answer.js';

const HOUR = 3_600_000;

export interface RemediationSuggestion {
  request: RemediationRequest;
  /** The diagnosis in one line: what the approver reads under "Why". */
  reason: string;
  severity: AlertSeverity;
  /** The suspect's signals that should come back: what verification reads again. */
  signals: SignalReading[];
}

export interface RemediationSources {
  catalogue: Catalogue;
  cluster: Pick<Cluster, 'getDeployment' | 'getAutoscaler'>;
  metrics: Pick<MetricsSource, 'instant' | 'range'>;
  now: () => number;
}

/**
 * What the root-cause engine proposes for its answer: the catalogue's healing rule for the kind of
 * fault its suspect shows (a bad deploy → roll back, memory towards OOM → restart, more traffic →
 * scale out), on the suspect's deployment. Scale-outs get a replica count from the load against
 * its usual level, within what one approval may do. Undefined when there is no suspect, no rule
 * for its fault, or no count to give. The request is still checked, previewed and put to policy
 * by Healing before anyone sees a button.
 */
export async function remediationForAnswer(answer: Answer, sources: RemediationSources): Promise<RemediationSuggestion | undefined> {
  const suspect = answer.suspect;
  if (!suspect || !answer.diagnosis || !Object.hasOwn(sources.catalogue.services, suspect)) return undefined;
  const service = sources.catalogue.services[suspect]!;
  const afterChange = answer.recentChanges.some((change) => change.service === suspect && change.kind === 'deploy');
  const action = actionForFault(sources.catalogue.healing, answer.diagnosis.kind, afterChange);
  if (!action) return undefined;
  const anomalies = answer.servicesInAnomaly.find((entry) => entry.service === suspect)?.anomalies ?? [];
  const readings = await signalReadings(suspect, anomalies, sources);
  const request: RemediationRequest = { action, service: suspect, namespace: service.namespace, deployment: service.deployment };
  if (action === 'scale') {
    const load = readings.find((signal) => signal.metric === 'request_rate') ?? (await loadAgainstBefore(suspect, anomalies, sources));
    const replicas = load ? await scaleOutCount(request, load, sources) : undefined;
    if (replicas === undefined) return undefined;
    request.replicas = replicas;
  }
  // More pods do not bring the load down: a scale-out is judged by the symptoms it should ease.
  const signals = action === 'scale' ? readings.filter((signal) => signal.metric !== 'request_rate') : readings;
  const severity = answer.servicesInAnomaly.flatMap((entry) => entry.anomalies).reduce<AlertSeverity>((worst, anomaly) => maximumSeverity(worst, anomaly.severity), 'info');
  const reason = `${suspect}: ${answer.diagnosis.summary}${answer.conclusion ? ` (${answer.conclusion})` : ''}`;
  return { request, reason, severity, signals };
}

/** Each signal of the suspect's anomalies with a known usual level, read now. */
async function signalReadings(service: string, anomalies: readonly Anomaly[], sources: RemediationSources): Promise<SignalReading[]> {
  const normals = new Map<string, number>();
  for (const anomaly of anomalies) {
    for (const signal of anomaly.signals) {
      const normal = anomaly.baseline?.[signal];
      if (normal !== undefined && !normals.has(signal)) normals.set(signal, normal);
    }
  }
  const readings: SignalReading[] = [];
  for (const [metric, normal] of normals) {
    if (!isSignal(metric)) continue;
    const observed = await sources.metrics.instant(service, metric, new Date(sources.now())).catch(() => undefined);
    if (observed !== undefined) readings.push({ metric, normal, observed });
  }
  return readings;
}

/** The suspect's requests now against the median of the hour before its first anomaly, when detection recorded no usual level. */
async function loadAgainstBefore(service: string, anomalies: readonly Anomaly[], sources: RemediationSources): Promise<SignalReading | undefined> {
  if (anomalies.length === 0) return undefined;
  const start = Math.min(...anomalies.map((anomaly) => anomaly.evidence.start));
  const before = await sources.metrics.range(service, 'request_rate', { start: new Date(start - HOUR), end: new Date(start), stepSeconds: 60 }).catch(() => undefined);
  const values = (before?.samples ?? []).map((sample) => sample.value).filter(Number.isFinite).sort((left, right) => left - right);
  const observed = await sources.metrics.instant(service, 'request_rate', new Date(sources.now())).catch(() => undefined);
  if (values.length === 0 || observed === undefined) return undefined;
  return { metric: 'request_rate', normal: values[Math.floor(values.length / 2)]!, observed };
}

/**
 * Replicas for the load now against the usual: the current count times the ratio, capped at what
 * one approval may set and at the HorizontalPodAutoscaler's maximum when one scales the deployment
 * (above it the HPA would scale back at its next sync, and the plan refuses it anyway).
 */
async function scaleOutCount(request: RemediationRequest, load: SignalReading, sources: RemediationSources): Promise<number | undefined> {
  if (load.normal <= 0 || load.observed <= load.normal) return undefined;
  const [deployment, autoscaler] = await Promise.all([
    sources.cluster.getDeployment(request.namespace, request.deployment),
    sources.cluster.getAutoscaler(request.namespace, request.deployment),
  ]);
  const current = deployment.replicas;
  const ceiling = Math.min(scaleBounds(current).maximum, autoscaler?.maxReplicas ?? Number.POSITIVE_INFINITY);
  const wanted = Math.min(ceiling, Math.ceil(current * (load.observed / load.normal)));
  return wanted > current ? wanted : undefined;
}
