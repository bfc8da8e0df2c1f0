import type { Redis } from 'ioredis';
import type { ChangeEvent, ChangeEventReader, ChangeEventSink, ChangeEventWrite } from '../alerts/change-event.js';

export interface ChangeEventStoreOptions {
  /** How long events are kept, ms, counted back from the service's newest event (default 7 days). */
  retentionMilliseconds?: number;
  /** Events kept per service at most, the newest (default 200). */
  maximumPerService?: number;
}

const DEFAULTS: Required<ChangeEventStoreOptions> = { retentionMilliseconds: 7 * 86_400_000, maximumPerService: 200 };

/**
 * One service's write, atomic: each event is stored unless its id is there already (a duplicate)
 * or it is older than the retention counted back from the newest event, the batch's included (too
 * old to keep); then everything older than that, and all but the newest `maximum`, is dropped,
 * and both keys expire a retention after this write.
 * KEYS: the index (sorted set), the bodies (hash). ARGV: retention ms, maximum, then id, at, body per event.
 * Returns { stored, duplicates, expired }.
 */
const RECORD = `
local retention, maximum = tonumber(ARGV[1]), tonumber(ARGV[2])
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
newest = newest and tonumber(newest) or nil
for i = 3, #ARGV, 3 do
  local at = tonumber(ARGV[i + 1])
  if not newest or at > newest then newest = at end
end
local cutoff = newest - retention
local stored, duplicates, expired = 0, 0, 0
for i = 3, #ARGV, 3 do
  local id, at = ARGV[i], tonumber(ARGV[i + 1])
  if at < cutoff then
    expired = expired + 1
  elseif redis.call('HEXISTS', KEYS[2], id) == 1 then
    duplicates = duplicates + 1
  else
    redis.call('HSET', KEYS[2], id, ARGV[i + 2])
    redis.call('ZADD', KEYS[1], ARGV[i + 1], id)
    stored = stored + 1
  end
end
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', cutoff))
local count = redis.call('ZCARD', KEYS[1]) - #old
if count > maximum then
  local surplus = redis.call('ZRANGEBYSCORE', KEYS[1], string.format('%.0f', cutoff), '+inf', 'LIMIT', 0, count - maximum)
  for _, id in ipairs(surplus) do old[#old + 1] = id end
end
for start = 1, #old, 500 do
  local slice = { unpack(old, start, math.min(start + 499, #old)) }
  redis.call('ZREM', KEYS[1], unpack(slice))
  redis.call('HDEL', KEYS[2], unpack(slice))
end
redis.call('PEXPIRE', KEYS[1], retention)
redis.call('PEXPIRE', KEYS[2], retention)
return { stored, duplicates, expired }
`;

/**
 * CI/CD change events (deploys, configuration changes, rollbacks, feature flags) per service, as
 * evidence beside the cluster's rollouts. Written by whatever reads changes in (the webhook; a
 * stream consumer would write here too, through the same ChangeEventSink), idempotently by id, and
 * bounded by time and count.
 *
 * Keys, under the prefix:
 * - `change-events:<service>`: sorted set of event ids, scored by when the change happened (ms);
 * - `change-events:<service>:bodies`: hash of event id → the event's JSON.
 * Both are trimmed on every write to the retention (7 days back from the service's newest event)
 * and to the newest 200 events, and expire 7 days after the last write, so a service that leaves
 * the catalogue leaves nothing behind for long.
 */
export class ChangeEventStore implements ChangeEventSink, ChangeEventReader {
  private readonly settings: Required<ChangeEventStoreOptions>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: ChangeEventStoreOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...options };
  }

  private indexKey(service: string): string {
    return `${this.prefix}change-events:${service}`;
  }

  private bodiesKey(service: string): string {
    return `${this.prefix}change-events:${service}:bodies`;
  }

  /** Stores the events not stored already, one atomic write per service. */
  async record(events: readonly ChangeEvent[]): Promise<ChangeEventWrite> {
    const byService = new Map<string, ChangeEvent[]>();
    for (const event of events) byService.set(event.service, [...(byService.get(event.service) ?? []), event]);
    const written = await Promise.all(
      [...byService].map(async ([service, list]) => {
        const triples = list.flatMap((event) => [event.id, String(event.at), JSON.stringify(event)]);
        return (await this.redis.eval(RECORD, 2, this.indexKey(service), this.bodiesKey(service), this.settings.retentionMilliseconds, this.settings.maximumPerService, ...triples)) as [number, number, number];
      }),
    );
    return written.reduce<ChangeEventWrite>((sum, [stored, duplicates, expired]) => ({ stored: sum.stored + stored, duplicates: sum.duplicates + duplicates, expired: sum.expired + expired }), { stored: 0, duplicates: 0, expired: 0 });
  }

  async since(service: string, since: number): Promise<ChangeEvent[]> {
    const ids = await this.redis.zrevrangebyscore(this.indexKey(service), '+inf', since);
    if (ids.length === 0) return [];
    const bodies = await this.redis.hmget(this.bodiesKey(service), ...ids);
    // A body trimmed between the two reads is simply not shown.
    return bodies.filter((body): body is string => body !== null).map((body) => JSON.parse(body) as ChangeEvent);
  }
}
