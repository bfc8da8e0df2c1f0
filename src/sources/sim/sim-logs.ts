import type { Catalogue } from '../../catalogue.js';
import { inputError } from '../../errors.js';
import type { LogEntry } from '../../logs/log-entry.js';
import { type ErrorCount, type ErrorCountQuery, type LogSearch, type LogSource } from '../logs.js';
import { cataloguedDeployment } from './catalogued-deployment.js';
import { lineCounts, linesForMinute } from './log-generator.js';
import { TICK_MILLISECONDS, tickOf, type SimWorld } from './world.js';

/**
 * The simulated world's logs through the same interface as Elasticsearch. With the catalogue, a
 * catalogued service reads its deployment's lines under its own name.
 */
export class SimulatedLogs implements LogSource {
  readonly kind = 'sim' as const;

  constructor(
    private readonly world: SimWorld,
    private readonly catalogue?: Catalogue,
  ) {}

  async search(search: LogSearch): Promise<LogEntry[]> {
    const deployment = cataloguedDeployment(this.world, this.catalogue, search.service);
    this.world.profile(deployment);
    const limit = Math.min(search.limit ?? 100, 10_000);
    const start = search.start.getTime();
    const end = Math.min(search.end.getTime(), this.world.clock.now());
    const words = (search.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const found: LogEntry[] = [];
    // Newest first, so a search over days stops as soon as it has enough.
    for (let minute = tickOf(end); minute + TICK_MILLISECONDS > start && found.length < limit; minute -= TICK_MILLISECONDS) {
      const lines = linesForMinute(this.world, deployment, minute, search.minimumLevel).reverse();
      for (const line of lines) {
        if (line.timestamp < start || line.timestamp > end) continue;
        if (words.length > 0) {
          const message = line.message.toLowerCase();
          if (!words.every((word) => message.includes(word))) continue;
        }
        found.push(deployment === search.service ? line : { ...line, service: search.service });
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  async errorCounts(query: ErrorCountQuery): Promise<ErrorCount[]> {
    const deployment = cataloguedDeployment(this.world, this.catalogue, query.service);
    this.world.profile(deployment);
    if (!(query.intervalSeconds > 0)) throw inputError('intervalSeconds', 'expected a positive number of seconds');
    const interval = query.intervalSeconds * 1000;
    const end = Math.min(query.end.getTime(), this.world.clock.now());
    const buckets: ErrorCount[] = [];
    for (let bucket = Math.floor(query.start.getTime() / interval) * interval; bucket <= end; bucket += interval) {
      buckets.push({ timestamp: bucket, count: 0 });
    }
    if (buckets.length === 0) return buckets;
    const first = buckets[0]!.timestamp;
    const start = query.start.getTime();
    for (let minute = tickOf(first); minute <= end; minute += TICK_MILLISECONDS) {
      const counts = lineCounts(this.world, deployment, minute);
      const errors = counts.error + counts.fault;
      if (errors === 0) continue;
      const whole = interval % TICK_MILLISECONDS === 0 && minute >= start && minute + TICK_MILLISECONDS - 1 <= end;
      if (whole) {
        // The whole minute falls in one bucket: count without generating the lines.
        buckets[Math.floor((minute - first) / interval)]!.count += errors;
        continue;
      }
      for (const line of linesForMinute(this.world, deployment, minute, 'error')) {
        if (line.timestamp < start || line.timestamp > end) continue;
        buckets[Math.floor((line.timestamp - first) / interval)]!.count += 1;
      }
    }
    return buckets;
  }
}
