import type { Redis } from 'ioredis';
import type { DetectorState } from '../detection/detector.js';
import type { Signal } from '../sources/signals.js';

/**
 * Where detection keeps its memory between jobs, so any worker can pick up any service:
 * per service, one hash with each signal's detector state and the last scored sample time.
 */
export interface ServiceDetectionState {
  /** Milliseconds since the epoch of the newest sample already scored; undefined before the first run. */
  lastScored?: number;
  detectors: Partial<Record<Signal, DetectorState>>;
}

export class DetectionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string): string {
    return `${this.prefix}detection:${service}`;
  }

  async load(service: string): Promise<ServiceDetectionState> {
    const fields = await this.redis.hgetall(this.key(service));
    const detectors: ServiceDetectionState['detectors'] = {};
    for (const [field, value] of Object.entries(fields)) {
      if (field.startsWith('detector:')) detectors[field.slice('detector:'.length) as Signal] = JSON.parse(value) as DetectorState;
    }
    return { lastScored: fields.lastScored === undefined ? undefined : Number(fields.lastScored), detectors };
  }

  /** Saves all signals' states and the watermark in one transaction: a half-saved service would rescore with mismatched states. */
  async save(service: string, state: ServiceDetectionState): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [signal, detector] of Object.entries(state.detectors)) fields[`detector:${signal}`] = JSON.stringify(detector);
    if (state.lastScored !== undefined) fields.lastScored = String(state.lastScored);
    await this.redis.multi().del(this.key(service)).hset(this.key(service), fields).exec();
  }
}
