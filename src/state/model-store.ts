import type { Redis } from 'ioredis';

export interface StoredModel {
  /** The serialised model, as the algorithm's own serialiser wrote it. */
  model: string;
  /** Milliseconds since the epoch. */
  trainedAt: number;
  /** What the model was trained on, e.g. the signals in column order. */
  features: string[];
}

/** Trained models by service, shared by every worker. */
export class ModelStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(service: string): string {
    return `${this.prefix}model:${service}`;
  }

  async save(service: string, stored: StoredModel): Promise<void> {
    await this.redis.set(this.key(service), JSON.stringify(stored));
  }

  async load(service: string): Promise<StoredModel | undefined> {
    const text = await this.redis.get(this.key(service));
    return text === null ? undefined : (JSON.parse(text) as StoredModel);
  }
}
