import { cursorAfter, isAfterCursor, type LogCursor, type LogPage, type LogReader, type LogReadRange } from '../log-reader.js';
import type { Catalogue } from '../../catalogue.js';
import type { LogEntry } from '../../logs/log-entry.js';
import { cataloguedDeployment } from './catalogued-deployment.js';
import { linesForMinute } from './log-generator.js';
import { TICK_MILLISECONDS, tickOf, type SimWorld } from './world.js';

const DEFAULT_PAGE_SIZE = 1000;

/**
 * The simulated world's logs read forward in pages, as the Elasticsearch reader does. A line's id
 * is its minute and position in that minute: the world regenerates the same lines every time.
 * With the catalogue, a catalogued service reads its deployment's lines under its own name.
 */
export class SimulatedLogReader implements LogReader {
  constructor(
    private readonly world: SimWorld,
    private readonly catalogue?: Catalogue,
  ) {}

  async *pages(service: string, cursor: LogCursor | undefined, range: LogReadRange): AsyncGenerator<LogPage> {
    const deployment = cataloguedDeployment(this.world, this.catalogue, service);
    this.world.profile(deployment);
    const size = range.pageSize ?? DEFAULT_PAGE_SIZE;
    const start = cursor?.timestamp ?? range.since;
    // Lines of the future do not exist yet.
    const end = Math.min(range.until, this.world.clock.now());
    let current = cursor;
    let pending: Array<{ id: string; entry: LogEntry }> = [];
    for (let minute = tickOf(start); minute <= end; minute += TICK_MILLISECONDS) {
      linesForMinute(this.world, deployment, minute).forEach((entry, position) => {
        const id = `${minute}:${position}`;
        if (entry.timestamp >= start && entry.timestamp <= end && isAfterCursor(cursor, entry.timestamp, id)) pending.push({ id, entry: deployment === service ? entry : { ...entry, service } });
      });
      while (pending.length >= size) {
        const page = pending.slice(0, size);
        pending = pending.slice(size);
        current = cursorAfter(current, page.map((line) => ({ timestamp: line.entry.timestamp, id: line.id })))!;
        yield { entries: page.map((line) => line.entry), cursor: current };
      }
    }
    if (pending.length > 0) {
      current = cursorAfter(current, pending.map((line) => ({ timestamp: line.entry.timestamp, id: line.id })))!;
      yield { entries: pending.map((line) => line.entry), cursor: current };
    }
  }
}
