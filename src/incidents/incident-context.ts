import type { ChangeEventReader } from '../alerts/change-event.js';
import type { Catalogue, CatalogueService } from '../catalogue.js';
import { fewUnreadable, recentChanges, type RecentChange } from '../sources/recent-changes.js';
import type { Cluster, ClusterEvent } from '../sources/cluster.js';
import type { Incident } from '../alerts/correlate.js';

export interface IncidentContextOptions {
  /** How far before the incident's first alert to look, ms. Default 30 minutes: a deploy shortly before is the usual suspect. */
  lookBehindMilliseconds?: number;
  /** Lines returned at most. Default 5. */
  maximumLines?: number;
  /** CI/CD's change events (deploys, configuration changes, feature flags); absent, the cluster's changes alone. */
  changeEvents?: ChangeEventReader;
}

const DEFAULT_OPTIONS: Required<Omit<IncidentContextOptions, 'changeEvents'>> = { lookBehindMilliseconds: 30 * 60_000, maximumLines: 5 };
/** However many lines are asked for, changes keep this many places against a flood of warnings: they are the first suspects. */
const CHANGES_KEPT = 3;
/** An event message is a log line; the root message needs its gist. */
const MESSAGE_CHARACTERS = 120;

const CHANGE_LABELS: Record<RecentChange['kind'], string> = { deploy: 'Deploy', rollback: 'Rollback', restart: 'Restart', scale: 'Scaling', config: 'Config change', 'feature-flag': 'Feature flag', event: 'Change' };

interface Line {
  at: number;
  text: string;
}

/**
 * What happened in the cluster around an incident, for its root message: deploys, rollbacks,
 * restarts and scaling of its services, CI/CD's deploys and configuration changes (recentChanges),
 * and their Warning events (OOM kills,
 * back-offs, failing probes, failed scheduling), from `lookBehind` before its first alert until
 * `now`. One plain line each (the caller escapes them), newest first, at most `maximumLines`;
 * warnings of one reason on one service are one line. A cluster that cannot be read gives fewer
 * lines and one saying what could not be read, never an error: the incident is worth posting
 * without them.
 */
export async function incidentContext(cluster: Cluster, catalogue: Catalogue, incident: Incident, now: number, options: IncidentContextOptions = {}): Promise<string[]> {
  const settings = { ...DEFAULT_OPTIONS, ...options };
  const services = incident.services.flatMap((name) => catalogue.services[name] ?? []);
  if (services.length === 0 || settings.maximumLines <= 0) return [];
  const since = incident.firstSeen - settings.lookBehindMilliseconds;
  const unreadable: string[] = [];
  const [changes, warnings] = await Promise.all([recentChanges(cluster, services, since, settings.changeEvents, unreadable), warningEvents(cluster, catalogue, services, since, now, unreadable)]);
  // A context with holes must not pass for a quiet cluster: a deploy it hides would be the first suspect. That line takes one place.
  const unreadableLine = unreadable.length > 0 ? `Could not read ${fewUnreadable(unreadable).join('; ')}: deploys and warnings may be missing` : undefined;
  const maximumLines = settings.maximumLines - (unreadableLine ? 1 : 0);
  const changeLines = changes
    .filter((change) => change.at <= now)
    .map((change) => ({ at: change.at, text: `${CHANGE_LABELS[change.kind]}: ${change.description} — ${when(change.at, incident.firstSeen)}` }));
  const warningLines = warnings.map((group) => ({ at: group.at, text: warningText(group, incident.firstSeen) })).sort(newestFirst);
  // Newest first would let a crash loop's warnings push out the deploy that caused it.
  const changePlaces = Math.min(changeLines.length, maximumLines, Math.max(CHANGES_KEPT, maximumLines - warningLines.length));
  const chosen: Line[] = [...changeLines.slice(0, changePlaces), ...warningLines.slice(0, maximumLines - changePlaces)];
  const lines = chosen.sort(newestFirst).map((line) => line.text);
  return unreadableLine ? [...lines, unreadableLine] : lines;
}

/** Warnings of one reason on one service, gathered: how many objects, how many times, the latest. */
interface WarningGroup {
  service: string;
  reason: string;
  objects: Set<string>;
  count: number;
  at: number;
  message: string;
}

async function warningEvents(cluster: Cluster, catalogue: Catalogue, services: CatalogueService[], since: number, now: number, unreadable: string[]): Promise<WarningGroup[]> {
  const groups = new Map<string, WarningGroup>();
  const namespaces = [...new Set(services.map((service) => service.namespace))];
  await Promise.all(
    namespaces.map(async (namespace) => {
      let events: ClusterEvent[];
      try {
        // One read per namespace: pod events name the pod, not the deployment, so a filter by name would miss them.
        events = await cluster.listEvents(namespace);
      } catch (error) {
        unreadable.push(`the events of namespace ${namespace} (${(error as Error).message})`);
        return;
      }
      const deployments = Object.values(catalogue.services).filter((service) => service.namespace === namespace);
      for (const event of events) {
        if (event.type !== 'Warning' || event.lastTimestamp < since || event.lastTimestamp > now) continue;
        const owner = ownerOf(event.involvedName, deployments);
        if (!owner || !services.some((service) => service.name === owner.name)) continue;
        const key = `${owner.name}\u0000${event.reason}`;
        const group = groups.get(key) ?? { service: owner.name, reason: event.reason, objects: new Set<string>(), count: 0, at: event.lastTimestamp, message: event.message };
        group.objects.add(`${event.involvedKind}/${event.involvedName}`);
        group.count += Math.max(1, event.count);
        if (event.lastTimestamp >= group.at) {
          group.at = event.lastTimestamp;
          group.message = event.message;
        }
        groups.set(key, group);
      }
    }),
  );
  return [...groups.values()];
}

/**
 * The catalogued deployment an object belongs to: the deployment itself, or one of its
 * ReplicaSets (`name-<hash>`) or pods (`name-<hash>-<suffix>`). The longest matching name wins,
 * so `payment-gateway-7d9f8-abcde` is not taken for a pod of `payment`.
 */
function ownerOf(objectName: string, deployments: CatalogueService[]): CatalogueService | undefined {
  let owner: CatalogueService | undefined;
  for (const deployment of deployments) {
    const name = deployment.deployment;
    const matches = objectName === name || new RegExp(`^${escapeRegExp(name)}-[a-z0-9]+(-[a-z0-9]+)?$`).test(objectName);
    if (matches && (!owner || name.length > owner.deployment.length)) owner = deployment;
  }
  return owner;
}

function warningText(group: WarningGroup, firstSeen: number): string {
  const objects = [...group.objects];
  const noun = objects.every((object) => object.startsWith('Pod/')) ? 'pods' : 'objects';
  const details = [objects.length > 1 ? `${objects.length} ${noun}` : undefined, group.count > 1 ? `${group.count} times` : undefined].filter(Boolean);
  const counts = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `Warning ${group.reason} on ${group.service}${counts}: ${shorten(group.message)} — ${when(group.at, firstSeen)}`;
}

/** "19:00 UTC, 25 min before the first alert": the clock time, and how it stands to the incident. */
function when(at: number, firstSeen: number): string {
  const clock = `${new Date(at).toISOString().slice(11, 16)} UTC`;
  const minutes = Math.round((at - firstSeen) / 60_000);
  if (minutes === 0) return `${clock}, as the first alert came`;
  const amount = Math.abs(minutes) < 60 ? `${Math.abs(minutes)} min` : `${Math.floor(Math.abs(minutes) / 60)} h ${Math.abs(minutes) % 60} min`;
  return `${clock}, ${amount} ${minutes < 0 ? 'before' : 'after'} the first alert`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= MESSAGE_CHARACTERS ? line : `${line.slice(0, MESSAGE_CHARACTERS - 1).trimEnd()}…`;
}

function newestFirst(left: Line, right: Line): number {
  return right.at - left.at;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
