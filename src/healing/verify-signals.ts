import { formatSignalValue, isSignal } from '../signals.js';
import type { ClusterReader } from './remediation-action.js';
import type { MetricsSource } from '../sources/metrics.js';
import type { RemediationRecord, RemediationVerification } from '../state/remediation-requests.js';

/** A signal counts as recovered once what is left of its distance from normal is at most this share of the distance at the proposal. */
const RECOVERED_SHARE = 1 / 3;

/**
 * Did the action help? The signals that raised the incident, read again against their usual level
 * and their level when the request was made, and the deployment's ready pods. A signal that
 * cannot be read is not taken as recovered: an unknown is escalated, not celebrated.
 */
export async function verifySignals(record: RemediationRecord, metrics: Pick<MetricsSource, 'instant'>, cluster: ClusterReader, now: number): Promise<RemediationVerification> {
  const { service, namespace, deployment } = record.request;
  const lines: string[] = [];
  let helped = true;
  for (const signal of record.signals) {
    const metric = signal.metric;
    if (!isSignal(metric)) continue;
    const current = await metrics.instant(service, metric, new Date(now)).catch(() => undefined);
    const format = (value: number) => formatSignalValue(metric, value);
    if (current === undefined) {
      helped = false;
      lines.push(`${signal.metric}: could not be read`);
      continue;
    }
    const recovered = Math.abs(current - signal.normal) <= RECOVERED_SHARE * Math.abs(signal.observed - signal.normal);
    if (!recovered) helped = false;
    lines.push(`${signal.metric} ${format(signal.observed)} when proposed → ${format(current)} now (usually ${format(signal.normal)})${recovered ? '' : ': not back'}`);
  }
  try {
    const state = await cluster.getDeployment(namespace, deployment);
    const ready = state.readyReplicas >= state.replicas;
    if (!ready) helped = false;
    lines.push(`${state.readyReplicas} of ${state.replicas} pods ready`);
  } catch (error) {
    helped = false;
    lines.push(`${namespace}/${deployment} could not be read: ${(error as Error).message}`);
  }
  return { at: now, helped, lines };
}
