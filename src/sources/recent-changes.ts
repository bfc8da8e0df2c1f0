import type { ChangeEventReader } from '../alerts/change-event.js';
import type { CatalogueService } from '../catalogue.js';
import type { Cluster } from './cluster.js';
import { withChangeEvents } from './with-change-events.js';

/**
 * Something that changed in the estate recently: the first suspect in most incidents. Deploys,
 * rollbacks, restarts and scaling come from the cluster; deploys, configuration changes, rollbacks
 * and feature flags also from CI/CD's change events (`origin` says which sent it).
 */
export interface RecentChange {
  service: string;
  kind: 'deploy' | 'rollback' | 'restart' | 'scale' | 'config' | 'feature-flag' | 'event';
  /** One line, e.g. "payment 2.4.0 → 2.5.0 (deploy payment 2.5.0: new card-token flow)". */
  description: string;
  /** Milliseconds since the epoch. */
  at: number;
  /** The version the change brought: the new image's tag for a rollout, what the sender said for a change event. */
  version?: string;
  /** Who reported it, when not the cluster: a change event's origin (generic, github, argocd). */
  origin?: string;
}

/**
 * What changed lately for these services: from the cluster, new revisions (deploys, rollbacks,
 * restarts) and scaling; with `changeEvents`, CI/CD's change events too, less those that only
 * report a rollout the cluster shows (see withChangeEvents); newest first.
 */
export async function recentChanges(cluster: Cluster, services: CatalogueService[], since: number, changeEvents?: ChangeEventReader, unreadable?: string[]): Promise<RecentChange[]> {
  if (!changeEvents) return clusterChanges(cluster, services, since, unreadable);
  const [fromCluster, stored] = await Promise.all([
    clusterChanges(cluster, services, since, unreadable),
    // Unreadable change events (Redis gone) leave the cluster's changes standing, as an unreadable cluster leaves the events.
    Promise.all(
      services.map((service) =>
        changeEvents.since(service.name, since).catch((error: Error) => {
          unreadable?.push(`the change events of ${service.name} (${error.message})`);
          return [];
        }),
      ),
    ),
  ]);
  return withChangeEvents(fromCluster, stored.flat());
}

/**
 * What changed lately for these services in the cluster: new revisions (deploys, rollbacks,
 * restarts) and scaling, newest first. A cluster that cannot be read yields nothing rather than
 * failing the answer: the rest of the evidence still stands. What could not be read is added to
 * `unreadable`, when given, so a list of changes does not pass for a complete one.
 */
async function clusterChanges(cluster: Cluster, services: CatalogueService[], since: number, unreadable?: string[]): Promise<RecentChange[]> {
  const changes: RecentChange[] = [];
  await Promise.all(
    services.map(async (service) => {
      try {
        const deployment = await cluster.getDeployment(service.namespace, service.deployment);
        const revisions = [...deployment.revisions].sort((left, right) => left.revision - right.revision);
        revisions.forEach((revision, index) => {
          if (revision.createdAt < since || index === 0) return;
          const previous = revisions[index - 1]!;
          const from = versionOf(previous.image);
          const to = versionOf(revision.image);
          const kind = revision.createdAt < previous.createdAt ? 'rollback' : from === to ? 'restart' : 'deploy';
          const cause = revision.changeCause ? ` (${revision.changeCause})` : '';
          changes.push({ service: service.name, kind, description: `${service.name} ${from} → ${to}${cause}`, at: revision.createdAt, version: to });
        });
        const events = await cluster.listEvents(service.namespace, service.deployment);
        for (const event of events) {
          if (event.lastTimestamp < since || event.reason !== 'ScalingReplicaSet' || !/^Scaled (up|down) replica set \S+ to \d+$/.test(event.message)) continue;
          // Scaling within a rollout is already told by the revision; scaling alone is a change of its own.
          if (changes.some((change) => change.service === service.name && Math.abs(change.at - event.lastTimestamp) < 60_000)) continue;
          changes.push({ service: service.name, kind: 'scale', description: `${service.name}: ${event.message}`, at: event.lastTimestamp });
        }
      } catch (error) {
        // Unreadable: no changes known for this service, and said where the caller wants to know.
        unreadable?.push(`the cluster for ${service.name} (${(error as Error).message})`);
      }
    }),
  );
  return changes.sort((left, right) => right.at - left.at);
}

/** Unreadable sources named one by one, at most this many: a cluster that is down fails for every service alike. */
const UNREADABLE_NAMED = 3;

/** "the cluster for payment (…)", "…", "…", "and 7 more": what could not be read, kept to a line a person reads. */
export function fewUnreadable(unreadable: readonly string[]): string[] {
  return unreadable.length <= UNREADABLE_NAMED ? [...unreadable] : [...unreadable.slice(0, UNREADABLE_NAMED), `and ${unreadable.length - UNREADABLE_NAMED} more`];
}

function versionOf(image: string): string {
  const tag = image.split('/').pop()?.split(':')[1];
  return tag ?? image;
}
