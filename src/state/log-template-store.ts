import type { ChainableCommander, Redis } from 'ioredis';
import type { TemplateDetails } from '../logs/template-counts.js';
import { redactSecrets } from '../redact-secrets.js';

/**
 * Each service's template miner, serialised, and what is known of each template (level, an
 * example line, when first seen), so any worker can carry on mining where another stopped.
 */
export class LogTemplateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private minerKey(service: string): string {
    return `${this.prefix}logs:miner:${service}`;
  }

  private detailsKey(service: string): string {
    return `${this.prefix}logs:templates:${service}`;
  }

  /** The miner's saved state (its `toJSON()`), or undefined before the first save. */
  async loadMiner(service: string): Promise<unknown> {
    const text = await this.redis.get(this.minerKey(service));
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }

  async details(service: string): Promise<Map<string, TemplateDetails>> {
    const fields = await this.redis.hgetall(this.detailsKey(service));
    return new Map(Object.entries(fields).map(([templateId, text]) => [templateId, redactedDetails(JSON.parse(text) as TemplateDetails)]));
  }

  /** Queues the miner's state and the changed templates' details on `transaction`. */
  save(transaction: ChainableCommander, service: string, minerState: unknown, changed: ReadonlyMap<string, TemplateDetails>): ChainableCommander {
    transaction.set(this.minerKey(service), JSON.stringify(minerState));
    if (changed.size === 0) return transaction;
    const fields: Record<string, string> = {};
    for (const [templateId, details] of changed) fields[templateId] = JSON.stringify(details);
    return transaction.hset(this.detailsKey(service), fields);
  }

  /** Deletes what is kept for a service gone from the catalogue: nothing else would expire it. */
  async forget(service: string): Promise<void> {
    await this.redis.del(this.minerKey(service), this.detailsKey(service));
  }
}

/** Mining redacts lines before it keeps them; templates saved before it did are redacted as they are read. */
function redactedDetails(details: TemplateDetails): TemplateDetails {
  return { ...details, template: redactSecrets(details.template), example: redactSecrets(details.example) };
}
