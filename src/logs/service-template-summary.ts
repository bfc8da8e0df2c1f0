import type { Redis } from 'ioredis';
import { LogCountStore } from '../state/log-count-store.js';
import { LogTemplateStore } from '../state/log-template-store.js';
import { summariseTemplates, type TemplateSummary } from './template-summary.js';

export interface ServiceTemplateSummaryOptions {
  redis: Redis;
  /** Key prefix of this deployment's state in Redis. */
  prefix: string;
  /** The sources' clock, ms since the epoch. */
  now: number;
  /** The window, minutes back from the last whole bucket (default 15). */
  minutes?: number;
  /** The usual rates come from this many minutes before the window (default 60). */
  baselineMinutes?: number;
  /** Bucket length the counts were mined with, seconds (default 60). */
  bucketSeconds?: number;
  /** Rows kept (default 10). */
  limit?: number;
}

/**
 * Top templates of a service over the last minutes, from the counts log mining stored: the data
 * behind an agent's "what is it logging" tool and an incident's log attachment.
 */
export async function serviceTemplateSummary(service: string, options: ServiceTemplateSummaryOptions): Promise<TemplateSummary> {
  const bucket = (options.bucketSeconds ?? 60) * 1000;
  // The current bucket is still filling: comparing a part with whole ones would read as a drop.
  const end = Math.floor(options.now / bucket) * bucket;
  const start = end - (options.minutes ?? 15) * 60_000;
  const baselineStart = start - (options.baselineMinutes ?? 60) * 60_000;
  const counts = new LogCountStore(options.redis, options.prefix);
  const [baseline, window, details] = await Promise.all([
    counts.range(service, baselineStart, start, bucket),
    counts.range(service, start, end, bucket),
    new LogTemplateStore(options.redis, options.prefix).details(service),
  ]);
  return summariseTemplates({ service, start, end, window, baseline, details, limit: options.limit });
}
