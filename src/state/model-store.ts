import type { Redis } from 'ioredis';

export interface StoredModel {
  /** The serialised model, as the algorithm's own serialiser wrote it. */
  model: string;
  /** Milliseconds since the epoch. */
  trainedAt: number;
  /** What the model was trained on, e.g. the signals in column order. */
  features: string[];
}

/** Trained models by service, shared by every worker: one hash per service. */
export class ModelStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string): string {
    return `${this.prefix}model:${service}`;
  }

  async save(service: string, stored: StoredModel): Promise<void> {
    await this.redis.hset(this.key(service), { model: stored.model, trainedAt: String(stored.trainedAt), features: JSON.stringify(stored.features) });
  }

  async load(service: string): Promise<StoredModel | undefined> {
    const fields = await this.redis.hgetall(this.key(service));
    if (fields.model === undefined) return undefined;
    return { model: fields.model, trainedAt: Number(fields.trainedAt), features: JSON.parse(fields.features ?? '[]') as string[] };
  }

  /** When the current model was trained: cheap to ask before reading a model a worker may already hold. */
  async trainedAt(service: string): Promise<number | undefined> {
    const value = await this.redis.hget(this.key(service), 'trainedAt');
    return value === null ? undefined : Number(value);
  }

  /** Deletes what is kept for a service gone from the catalogue: nothing else would expire it. */
  async forget(service: string): Promise<void> {
    await this.redis.del(this.key(service));
  }
}
