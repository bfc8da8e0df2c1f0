import type { Redis } from 'ioredis';
import type { DetectorState } from '../detection/detector.js';
import type { Signal } from '../signals.js';

/**
 * Where detection keeps its memory between jobs, so any worker can pick up any service:
 * per service, one hash with each signal's detector state, the last scored sample time and a
 * revision that changes with every save.
 */
export interface ServiceDetectionState {
  /** Milliseconds since the epoch of the newest sample already scored; undefined before the first run. */
  lastScored?: number;
  detectors: Partial<Record<Signal, DetectorState>>;
  /** Incremented by every save: a worker holding this revision in memory holds the current state. */
  revision: number;
}

export class DetectionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string): string {
    return `${this.prefix}detection:${service}`;
  }

  /** The current revision alone: cheap to ask before deciding whether the full state must be read. */
  async revision(service: string): Promise<number> {
    return Number((await this.redis.hget(this.key(service), 'revision')) ?? 0);
  }

  async load(service: string): Promise<ServiceDetectionState> {
    const fields = await this.redis.hgetall(this.key(service));
    const detectors: ServiceDetectionState['detectors'] = {};
    for (const [field, value] of Object.entries(fields)) {
      if (field.startsWith('detector:')) detectors[field.slice('detector:'.length) as Signal] = JSON.parse(value) as DetectorState;
    }
    return { lastScored: fields.lastScored === undefined ? undefined : Number(fields.lastScored), detectors, revision: Number(fields.revision ?? 0) };
  }

  /**
   * Saves all signals' states and the watermark in one transaction (a half-saved service would
   * rescore with mismatched states) and returns the new revision.
   */
  async save(service: string, state: Omit<ServiceDetectionState, 'revision'>): Promise<number> {
    const fields: Record<string, string> = {};
    for (const [signal, detector] of Object.entries(state.detectors)) fields[`detector:${signal}`] = JSON.stringify(detector);
    if (state.lastScored !== undefined) fields.lastScored = String(state.lastScored);
    // Every save writes every signal (the set of signals is fixed), so overwriting in place leaves nothing stale.
    const results = await this.redis.multi().hset(this.key(service), fields).hincrby(this.key(service), 'revision', 1).exec();
    return Number(results?.[1]?.[1] ?? 0);
  }

  /** Deletes what is kept for a service gone from the catalogue: nothing else would expire it. */
  async forget(service: string): Promise<void> {
    await this.redis.del(this.key(service));
  }
}
