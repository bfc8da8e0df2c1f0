import type { Redis } from 'ioredis';

/** A backend the workers could not read, as the first pass that failed recorded it. */
export interface SourceOutage {
  /** Which source: `metrics` for detection's metrics source. */
  source: string;
  /** The backend behind it, e.g. `prometheus`. */
  backend?: string;
  /** What to check, e.g. `check PROMETHEUS_URL`. */
  hint?: string;
  /** When the first pass that could not read it started, ms since the epoch (the sources' clock). */
  since: number;
  /** That pass's error, one line. */
  error: string;
}

/** An outage that has ended: no pass could read the source from `from` until `to`. */
export interface OutageWindow {
  from: number;
  to: number;
}

export interface OutageSeen {
  /** True for the one pass, across every process, that recorded the outage: the one to report it. */
  first: boolean;
  /**
   * The outage as recorded; undefined when the failure is older than the source's last recovery
   * (a pass that failed just before another one read the source again): nothing to report.
   */
  outage?: SourceOutage;
}

export interface SourceReadable {
  /** The outage this call ended: given to the one caller that ended it, across every process. */
  ended?: SourceOutage;
  /** The outages that ended within the memory (see SourceOutagesOptions), latest first. */
  recent: OutageWindow[];
}

export interface SourceOutagesOptions {
  /**
   * How long a source's record lasts after the last pass that could not read it, and how long an
   * ended outage is remembered, seconds (default 86 400: detection's longest catch-up). Every
   * failing pass refreshes it, so an outage is forgotten only when no worker runs.
   */
  ttlSeconds?: number;
  /** At most this many ended outages are remembered (default 10). */
  recentLimit?: number;
}

/*
 * One key per source, `source-outage:<source>`, a JSON object: `down` (the outage going on, set
 * only where none is: SET NX semantics, in a script so that the check and the write are one),
 * `recoveredAt` (when the last one ended: a failure older than that is stale) and `ended` (the
 * last few outages' windows, latest first). cjson writes an empty array as `{}`: read back as [].
 */
const DOWN = `
local current = redis.call('get', KEYS[1])
local record = current and cjson.decode(current) or {}
if record.down then
  redis.call('expire', KEYS[1], ARGV[3])
  return {0, cjson.encode(record.down)}
end
if record.recoveredAt and tonumber(ARGV[1]) <= tonumber(record.recoveredAt) then return {-1, false} end
record.down = cjson.decode(ARGV[2])
redis.call('set', KEYS[1], cjson.encode(record), 'EX', ARGV[3])
return {1, ARGV[2]}
`;

const UP = `
local current = redis.call('get', KEYS[1])
if not current then return {false, '[]'} end
local record = cjson.decode(current)
local ended = record.ended or {}
if not record.down then return {false, cjson.encode(ended)} end
local at = tonumber(ARGV[1])
local down = record.down
local kept = {{from = down.since, to = at}}
for _, window in ipairs(ended) do
  if #kept < tonumber(ARGV[3]) and tonumber(window.to) >= at - tonumber(ARGV[2]) * 1000 then table.insert(kept, window) end
end
record.down = nil
record.recoveredAt = at
record.ended = kept
redis.call('set', KEYS[1], cjson.encode(record), 'EX', ARGV[2])
return {cjson.encode(down), cjson.encode(kept)}
`;

/**
 * Which sources the workers cannot read right now, and which outages ended lately, shared by every
 * worker process: an outage is reported once, not once per pass and per process (the first pass
 * that fails records it, the first pass that reads the source again ends it), and every pass can
 * tell which stretch of its data the outage left unreliable. One small key per source, its age
 * and length bounded.
 */
export class SourceOutages {
  private readonly settings: Required<SourceOutagesOptions>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: SourceOutagesOptions = {},
  ) {
    this.settings = { ttlSeconds: 86_400, recentLimit: 10, ...options };
  }

  private key(source: string): string {
    return `${this.prefix}source-outage:${source}`;
  }

  /**
   * A pass that started at `outage.since` could not read the source: records the outage unless
   * one is recorded (then keeps it, with its own `since`), or unless the source came back after
   * that pass started.
   */
  async down(outage: SourceOutage): Promise<OutageSeen> {
    const [created, text] = (await this.redis.eval(DOWN, 1, this.key(outage.source), String(outage.since), JSON.stringify(outage), String(this.settings.ttlSeconds))) as [number, string | null];
    if (created < 0 || !text) return { first: false };
    return { first: created === 1, outage: parseOutage(text) };
  }

  /** A pass read the source at `at`: ends its outage, if one is recorded, and says which ones ended lately. */
  async up(source: string, at: number): Promise<SourceReadable> {
    const [ended, recent] = (await this.redis.eval(UP, 1, this.key(source), String(at), String(this.settings.ttlSeconds), String(this.settings.recentLimit))) as [string | null, string];
    return { ...(ended ? { ended: parseOutage(ended) } : {}), recent: parseWindows(recent) };
  }

  /** The outage going on, if any. */
  async current(source: string): Promise<SourceOutage | undefined> {
    const text = await this.redis.get(this.key(source));
    const down = text ? (JSON.parse(text) as { down?: SourceOutage }).down : undefined;
    return down ? parseOutage(JSON.stringify(down)) : undefined;
  }
}

function parseOutage(text: string): SourceOutage {
  const { source, backend, hint, since, error } = JSON.parse(text) as SourceOutage;
  return { source, ...(backend === undefined ? {} : { backend }), ...(hint === undefined ? {} : { hint }), since: Number(since), error };
}

function parseWindows(text: string): OutageWindow[] {
  const windows = JSON.parse(text) as unknown;
  return Array.isArray(windows) ? windows.map((window: OutageWindow) => ({ from: Number(window.from), to: Number(window.to) })) : [];
}
