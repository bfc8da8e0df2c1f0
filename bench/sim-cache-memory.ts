/**
 * What the simulated world's snapshot cache costs in heap when full: a world with the default
 * scenario, every service's minutes of the last 25 hours read once (the cache's bound: a day of the
 * estate and an hour more), live heap measured after forced collections before and after.
 *
 *   npm run bench:sim:memory
 *
 * Every process that runs on the simulated world (`npm start` without sources, the soak's bot and
 * workers) holds one such cache once it has lived a simulated day; at the soak's 60× that is its
 * first 25 real minutes, which is why a 30-minute soak's second half still grows.
 */
import { cpus } from 'node:os';
import { ManualClock } from '../src/sources/sim/clock.js';
import { SimWorld } from '../src/sources/sim/world.js';

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) {
  console.error('bench:sim:memory: run with node --expose-gc (npm run bench:sim:memory does)');
  process.exit(2);
}
const HOURS = 25;
const MEBIBYTE = 1024 * 1024;

function liveHeap(): number {
  collect!();
  collect!();
  return process.memoryUsage().heapUsed;
}

const now = Date.UTC(2026, 11, 8, 12);
const world = new SimWorld({ clock: new ManualClock(now), scenario: 'db-pool-exhaustion', faultStart: now - 3_600_000 });
const before = liveHeap();
let snapshots = 0;
for (const service of world.services()) {
  for (let minute = 0; minute < HOURS * 60; minute += 1) {
    world.snapshot(service, now - minute * 60_000);
    snapshots += 1;
  }
}
const grown = liveHeap() - before;
console.log(`bench:sim:memory, ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`);
console.log(`${snapshots} snapshots (${world.services().length} services × ${HOURS} h of minutes): live heap +${(grown / MEBIBYTE).toFixed(1)} MiB, ${(grown / snapshots).toFixed(0)} bytes a snapshot with its pods`);
