import { createHash } from 'node:crypto';

/** What a change event says was done to a service: a release, a configuration edit, a rollback, a feature flag flipped. */
export const CHANGE_EVENT_KINDS = ['deploy', 'config', 'rollback', 'feature-flag'] as const;
export type ChangeEventKind = (typeof CHANGE_EVENT_KINDS)[number];

/** Who told us: the documented generic shape, a GitHub deployment_status event, an Argo CD notification (and, later, a stream). */
export type ChangeEventOrigin = 'generic' | 'github' | 'argocd';

/**
 * A deploy or configuration change reported by CI/CD, stored and used as evidence beside the
 * cluster's own rollouts. Whatever shape it arrived in, it is this once parsed.
 */
export interface ChangeEvent {
  /**
   * Identity for idempotency: the sender's id (prefixed by its origin where the sender's ids are
   * only unique to it), or a hash of the content as given. A redelivery has the same id.
   */
  id: string;
  /** A catalogued service's name. */
  service: string;
  kind: ChangeEventKind;
  /** One line, as the sender wrote it. */
  description: string;
  /** Milliseconds since the epoch: when the change happened (or, when the sender did not say, when it arrived). */
  at: number;
  /** The version or revision it brought (an image tag, a Git SHA), when known. */
  version?: string;
  /** A link to the pipeline run, the commit or the application. */
  url?: string;
  /** Who made the change. */
  author?: string;
  origin: ChangeEventOrigin;
}

/**
 * Where change events are written, whoever reads them in: the webhook today, a stream consumer
 * (Kafka) tomorrow. Writing is idempotent by id, so a sender's retry (or a consumer re-reading
 * after a crash, before it committed its offset) changes nothing.
 */
export interface ChangeEventSink {
  record(events: readonly ChangeEvent[]): Promise<ChangeEventWrite>;
}

/** What a write did: events newly stored, events already there (same service and id), events too old to keep. */
export interface ChangeEventWrite {
  stored: number;
  duplicates: number;
  expired: number;
}

/** Where evidence reads change events from. */
export interface ChangeEventReader {
  /** The service's change events at or after `since` (ms), newest first. */
  since(service: string, since: number): Promise<ChangeEvent[]>;
}

/**
 * The id of an event whose sender gave none: a hash of what it sent (its time only when it sent
 * one), so the same delivery twice is one event, and the same description at two stated times two.
 */
export function contentId(origin: ChangeEventOrigin, content: Record<string, string | number | undefined>): string {
  const fields = Object.keys(content)
    .sort()
    .filter((key) => content[key] !== undefined)
    .map((key) => [key, content[key]]);
  return `${origin}:sha256:${createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32)}`;
}
