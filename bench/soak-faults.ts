import { createHash } from 'node:crypto';

/**
 * The soak's faults, as an Alertmanager would report them: one new alert group per fault, its
 * alerts firing from `firesAt`, re-sent while they fire, then resolved at `resolvesAt`. Faults
 * alternate between a catalogued service (its pods) and something nobody catalogued (a blackbox
 * probe of an endpoint). Every fault has alerts of its own (new pods, a new endpoint), so each
 * gives one incident of its own, except that a catalogued one joins an incident still open on a
 * related service (the same service or a call-graph neighbour: README, "Alertmanager and
 * incidents"); an uncatalogued one is related to nothing and must always open its own.
 */

/** Alert names cycled through on catalogued services, with the severity Alertmanager's rule would give them. */
const ALERT_RULES = [
  { alertname: 'HighErrorRate', severity: 'critical', what: 'more than 5% of requests fail' },
  { alertname: 'HighLatency', severity: 'warning', what: 'p95 latency above 1 s' },
  { alertname: 'KubePodCrashLooping', severity: 'critical', what: 'a container restarts over and over' },
  { alertname: 'KubeDeploymentReplicasMismatch', severity: 'warning', what: 'fewer ready replicas than desired' },
] as const;

/** Alert names cycled through on uncatalogued endpoints. */
const PROBE_RULES = [
  { alertname: 'ProbeFailed', severity: 'critical', what: 'the endpoint does not answer' },
  { alertname: 'SSLCertExpiringSoon', severity: 'warning', what: 'its certificate expires within 7 days' },
] as const;

export interface SoakAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SoakFault {
  index: number;
  /** Whether `service` is a catalogued service (else an uncatalogued endpoint's name). */
  catalogued: boolean;
  service: string;
  alertname: string;
  severity: 'critical' | 'warning';
  /** The group Alertmanager's route (`group_by: [alertname, service]`) puts its alerts in. */
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: SoakAlert[];
  /** Real milliseconds after the soak's start. */
  firesAt: number;
  resolvesAt: number;
}

export interface FaultScheduleOptions {
  /** The catalogued services, in the catalogue's order. */
  services: string[];
  /** Real ms from the soak's start to the first fault. */
  firstAt: number;
  /** Real ms between two faults' starts. */
  every: number;
  /** Real ms a fault fires before its resolve. */
  firing: number;
  /** No fault may resolve later than this (real ms after the start), leaving time to see its resolve in Slack. */
  lastResolveBy: number;
  /** Alerts per fault (pods of the service), default 2. */
  alertsPerFault?: number;
}

/**
 * The faults of a soak, one every `every` ms, catalogued and uncatalogued in turn. Catalogued
 * services are taken with a stride coprime with their number (3 for the shop's 10), so consecutive
 * ones differ and every service is hit; alert names cycle.
 */
export function soakFaults(options: FaultScheduleOptions): SoakFault[] {
  const faults: SoakFault[] = [];
  const count = options.services.length;
  const stride = [3, 7, 9, 11, 13].find((candidate) => greatestCommonDivisor(candidate, count) === 1) ?? 1;
  for (let index = 0; ; index += 1) {
    const firesAt = options.firstAt + index * options.every;
    const resolvesAt = firesAt + options.firing;
    if (resolvesAt > options.lastResolveBy) break;
    const catalogued = index % 2 === 0;
    const turn = Math.floor(index / 2);
    const rule = catalogued ? ALERT_RULES[turn % ALERT_RULES.length]! : PROBE_RULES[turn % PROBE_RULES.length]!;
    const service = catalogued ? options.services[(turn * stride) % count]! : `edge-probe-${index}`;
    const groupLabels = { alertname: rule.alertname, service };
    const alerts = Array.from({ length: options.alertsPerFault ?? 2 }, (_, alertIndex): SoakAlert => {
      const letter = String.fromCharCode(97 + alertIndex);
      const labels: Record<string, string> = catalogued
        ? { alertname: rule.alertname, service, namespace: 'shop', pod: `${service}-soak${index}-${letter}`, severity: rule.severity }
        : { alertname: rule.alertname, service, job: 'blackbox', instance: `https://${service}-${letter}.example.com/healthz`, severity: rule.severity };
      const subject = catalogued ? labels.pod : labels.instance;
      return { fingerprint: labelsFingerprint(labels), labels, annotations: { summary: `${rule.alertname} on ${subject} (soak fault ${index}): ${rule.what}` } };
    });
    faults.push({
      index,
      catalogued,
      service,
      alertname: rule.alertname,
      severity: rule.severity,
      groupKey: `{}/{}:{alertname="${rule.alertname}", service="${service}"}`,
      groupLabels,
      alerts,
      firesAt,
      resolvesAt,
    });
  }
  return faults;
}

/**
 * One notification of a fault's group as Alertmanager's webhook sends it (payload version 4):
 * every alert firing since `startsAt`, or every alert resolved at `endsAt` (the group resolved).
 */
export function notificationBody(fault: SoakFault, status: 'firing' | 'resolved', startsAt: number, endsAt?: number): string {
  const zeroTime = '0001-01-01T00:00:00Z';
  return JSON.stringify({
    version: '4',
    groupKey: fault.groupKey,
    truncatedAlerts: 0,
    status,
    receiver: 'aiops',
    groupLabels: fault.groupLabels,
    commonLabels: { ...fault.groupLabels, severity: fault.severity, ...(fault.catalogued ? { namespace: 'shop' } : { job: 'blackbox' }) },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.monitoring:9093',
    alerts: fault.alerts.map((alert) => ({
      status,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: status === 'resolved' && endsAt !== undefined ? new Date(endsAt).toISOString() : zeroTime,
      generatorURL: `http://prometheus.monitoring:9090/graph?g0.expr=${encodeURIComponent(`ALERTS{alertname="${fault.alertname}"}`)}`,
      fingerprint: alert.fingerprint,
    })),
  });
}

/** 16 hex digits of the sorted labels' hash: the shape of Alertmanager's fingerprint. */
function labelsFingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((name) => `${name}\u00ff${labels[name]}`)
    .join('\u00ff');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function greatestCommonDivisor(left: number, right: number): number {
  return right === 0 ? left : greatestCommonDivisor(right, left % right);
}
