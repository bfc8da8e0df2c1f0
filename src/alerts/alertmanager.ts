import { z } from 'zod';
import type { Catalogue } from '../catalogue.js';
import { AiopsError, ErrorCode, inputError } from '../errors.js';
import { formatZodIssue } from '../zod-issue.js';
import type { Alert, AlertGroup } from './alert.js';
import { describeLabels } from './describe-labels.js';
import { isDetectorFingerprint, labelsFingerprint } from './fingerprint.js';
import { severityFromLabel } from '../severity.js';

export { severityFromLabel } from '../severity.js';

/** Go's zero time, `0001-01-01T00:00:00Z`: Alertmanager writes it as the end of an alert that has not ended. */
const GO_ZERO_TIME_MILLISECONDS = new Date('0001-01-01T00:00:00Z').getTime();

/**
 * RFC 3339 as Alertmanager writes it: Go's time.RFC3339Nano, so up to nine fractional digits
 * (JavaScript keeps milliseconds) and either `Z` or a numeric offset.
 */
const RFC_3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339(text: string): number | undefined {
  const match = RFC_3339.exec(text);
  if (!match) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const milliseconds = Date.parse(`${date}T${time}.${fraction.padEnd(3, '0').slice(0, 3)}${zone.toUpperCase()}`);
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}

const rfc3339Time = z
  .string({ error: 'expected an RFC 3339 time' })
  .refine((text) => parseRfc3339(text) !== undefined, { error: 'expected an RFC 3339 time' });

const labelSet = (what: string) =>
  z.record(z.string(), z.string({ error: 'expected a string' }), { error: `expected an object mapping ${what} names to strings` });

const alertStatus = z.enum(['firing', 'resolved'], { error: 'expected "firing" or "resolved"' });

const webhookAlertSchema = z.object(
  {
    status: alertStatus,
    labels: labelSet('label'),
    // Decorations we can live without are defaulted, so a sender that trims them still gets through.
    annotations: labelSet('annotation').default({}),
    startsAt: rfc3339Time,
    endsAt: rfc3339Time.optional(),
    generatorURL: z.string({ error: 'expected a URL string' }).optional(),
    fingerprint: z.string({ error: 'expected a string' }).optional(),
  },
  { error: 'expected an alert object' },
);

/** Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const webhookSchema = z.object(
  {
    version: z.literal('4', { error: 'expected "4" (Alertmanager webhook payload version 4)' }),
    groupKey: z.string({ error: 'expected a string' }),
    truncatedAlerts: z.number({ error: 'expected a number' }).int().nonnegative().optional(),
    status: alertStatus,
    receiver: z.string({ error: 'expected a string' }),
    groupLabels: labelSet('label').default({}),
    commonLabels: labelSet('label').default({}),
    commonAnnotations: labelSet('annotation').default({}),
    externalURL: z.string({ error: 'expected a URL string' }).optional(),
    alerts: z.array(webhookAlertSchema, { error: 'expected an array of alerts' }),
  },
  { error: 'expected a JSON object (an Alertmanager webhook payload)' },
);

export type AlertmanagerWebhook = z.infer<typeof webhookSchema>;

/**
 * Labels that may name the service, most specific first: an explicit `service`, the common app
 * labels (Prometheus turns `app.kubernetes.io/name` into `app_kubernetes_io_name`), then the
 * workload, the scrape job and the container.
 */
export const SERVICE_LABELS = ['service', 'app', 'app_kubernetes_io_name', 'deployment', 'job', 'container'] as const;

/**
 * Validates an Alertmanager webhook body and turns each of its alerts into an Alert. A malformed
 * body throws AIOPS_INPUT_INVALID with one line: the JSON path, then what was expected, e.g.
 * `alerts[2].startsAt: expected an RFC 3339 time`.
 *
 * A sender's `fingerprint` is taken as the alert's identity, except one in our detectors'
 * namespace (`detector/…`, which Alertmanager never writes): such an alert is identified by its
 * labels instead, so no delivery can resolve, refresh or occupy the identity of an alert our
 * detectors raised. Those fingerprints are added to `untrustedFingerprints`, for the caller to log.
 */
export function parseAlertmanagerWebhook(body: unknown, catalogue: Catalogue, receivedAt: number, untrustedFingerprints: string[] = []): Alert[] {
  const result = webhookSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    // A root-level problem has no path; name the body so the line still says where.
    if (!issue || issue.path.length === 0) throw inputError('body', issue?.message ?? 'expected an Alertmanager webhook payload');
    throw new AiopsError(ErrorCode.InputInvalid, formatZodIssue(issue));
  }
  const payload = result.data;
  const group: AlertGroup = {
    key: payload.groupKey,
    labels: payload.groupLabels,
    receiver: payload.receiver,
    ...(payload.externalURL ? { externalURL: payload.externalURL } : {}),
    truncatedAlerts: payload.truncatedAlerts ?? 0,
    status: payload.status,
  };
  const fingerprintOf = (alert: (typeof payload.alerts)[number]) => {
    const supplied = alert.fingerprint;
    if (supplied === undefined || supplied === '') return labelsFingerprint(alert.labels);
    if (!isDetectorFingerprint(supplied)) return supplied;
    untrustedFingerprints.push(supplied);
    return labelsFingerprint(alert.labels);
  };
  const fingerprints = payload.alerts.map(fingerprintOf);
  // The whole group, resolved: what correlation needs to end the alerts whose resolve a cut withheld.
  if (payload.status === 'resolved' && group.truncatedAlerts === 0) group.resolvedMembers = fingerprints;
  return payload.alerts.map((alert, index) => {
    // Alertmanager's API treats a missing start as "now"; the zero time is its way of saying "missing".
    const startsAt = parseRfc3339(alert.startsAt) ?? receivedAt;
    const endsAtParsed = alert.endsAt === undefined ? undefined : parseRfc3339(alert.endsAt);
    const endsAt = endsAtParsed === undefined || endsAtParsed === GO_ZERO_TIME_MILLISECONDS ? undefined : endsAtParsed;
    const name = alert.labels.alertname ?? 'UnnamedAlert';
    const service = resolveService(alert.labels, catalogue);
    return {
      fingerprint: fingerprints[index]!,
      source: 'alertmanager' as const,
      status: alert.status,
      name,
      service,
      severity: severityFromLabel(alert.labels.severity, catalogue.alerting.severities),
      labels: alert.labels,
      annotations: { ...alert.annotations, ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}) },
      startsAt: startsAt === GO_ZERO_TIME_MILLISECONDS ? receivedAt : startsAt,
      // A resolved alert always has an end: without one, it ended when we heard of it.
      endsAt: alert.status === 'resolved' ? (endsAt ?? receivedAt) : endsAt,
      receivedAt,
      summary: summaryOf(name, service ?? uncataloguedSubject(alert.labels, group.labels), alert.annotations),
      group,
      ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
      ...(alert.annotations.runbook_url ? { runbookURL: alert.annotations.runbook_url } : {}),
    };
  });
}

/** Labels people set by hand in their alert rules, which may carry a service's alias (`service: orders`); the others hold what Kubernetes and Prometheus named. */
const ALIAS_LABELS = ['service', 'app'] as const;

/**
 * The catalogued service an alert's labels name, or undefined. Each label in SERVICE_LABELS is
 * tried in turn against service names, then deployments; failing those, `service` and `app`
 * against the catalogue's aliases. A `namespace` label, when present, must agree, so
 * `order-service` in a staging namespace is not mistaken for ours.
 */
export function resolveService(labels: Readonly<Record<string, string>>, catalogue: Catalogue): string | undefined {
  const namespace = labels.namespace;
  const services = Object.values(catalogue.services).filter((service) => namespace === undefined || service.namespace === namespace);
  for (const label of SERVICE_LABELS) {
    const value = labels[label];
    if (value === undefined || value === '') continue;
    const byName = services.find((service) => service.name === value);
    if (byName) return byName.name;
    const byDeployment = services.find((service) => service.deployment === value);
    if (byDeployment) return byDeployment.name;
  }
  // Second, so that an exact name in any label wins over an alias in another.
  for (const label of ALIAS_LABELS) {
    const value = labels[label]?.toLowerCase();
    const byAlias = value ? services.find((service) => service.aliases.some((alias) => alias.toLowerCase() === value)) : undefined;
    if (byAlias) return byAlias.name;
  }
  return undefined;
}

/** `subject` is what the alert is about: the catalogued service, else what its labels say (see uncataloguedSubject). */
function summaryOf(name: string, subject: string | undefined, annotations: Record<string, string>): string {
  const text = annotations.summary ?? annotations.description ?? annotations.message;
  const firstLine = text?.split('\n').find((line) => line.trim() !== '')?.trim();
  return firstLine ?? (subject ? `${name} on ${subject}` : name);
}

/** Labels that say where an alert on no service is (a node, a scrape target), most specific first. */
const PLACE_LABELS = ['node', 'instance', 'pod', 'namespace', 'cluster'] as const;

/**
 * What an alert on no catalogued service is about, so a message without a summary annotation still
 * says where: the first label that usually names a service (`service=probe-svc-3`), else its
 * group's labels besides the alert name (`cluster=eu-1`), else the label that says where it
 * is (`node=node-7`), else nothing.
 */
export function uncataloguedSubject(labels: Readonly<Record<string, string>>, groupLabels: Readonly<Record<string, string>>): string | undefined {
  const present = (label: string) => labels[label] !== undefined && labels[label] !== '';
  const serviceLabel = SERVICE_LABELS.find(present);
  if (serviceLabel !== undefined) return `${serviceLabel}=${labels[serviceLabel]}`;
  const { alertname: _alertname, ...rest } = groupLabels;
  if (Object.keys(rest).length > 0) return describeLabels(rest);
  const placeLabel = PLACE_LABELS.find(present);
  return placeLabel === undefined ? undefined : `${placeLabel}=${labels[placeLabel]}`;
}
