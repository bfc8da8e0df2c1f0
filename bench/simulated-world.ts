/**
 * How fast the simulated world answers, side by side with a real Prometheus answering the same
 * questions from the world's exported history (one run, so the machine's load hits both).
 *
 *   npm run bench:sim [-- --hours 6]
 *
 * Measures: simulated service-minutes computed per second (cold), OpenMetrics export and
 * promtool backfill of the same history, and range queries for every service and signal through
 * the simulated source and through the Prometheus adapter.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/support/free-port.js';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../src/catalogue.js';
import { PrometheusMetrics } from '../src/sources/prometheus/prometheus-metrics.js';
import { SIGNALS } from '../src/signals.js';
import { ManualClock } from '../src/sources/sim/clock.js';
import { writeOpenMetrics } from '../src/sources/sim/openmetrics.js';
import { SimulatedMetrics } from '../src/sources/sim/sim-metrics.js';
import { SimWorld, tickOf } from '../src/sources/sim/world.js';

const { values } = parseArgs({ options: { hours: { type: 'string', default: '6' } } });
const hours = Number(values.hours);
if (!Number.isInteger(hours) || hours < 1 || hours > 48) {
  console.error('bench:sim: --hours: expected a whole number from 1 to 48');
  process.exit(2);
}

const HOUR = 3_600_000;
const end = tickOf(Date.now()) - 2 * 60_000;
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const newWorld = () => new SimWorld({ clock: new ManualClock(end), seed: 42, scenario: 'traffic-surge', faultStart: end - HOUR });
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

// 1. Cold computation: every service, every minute of the window, nothing cached.
let world = newWorld();
let started = process.hrtime.bigint();
let serviceMinutes = 0;
for (let tick = end - hours * HOUR; tick <= end; tick += 60_000) {
  for (const service of world.services()) {
    world.snapshot(service, tick);
    serviceMinutes += 1;
  }
}
const snapshotSeconds = seconds(started);

// 2. Export and backfill the same history.
world = newWorld();
const chunks: string[] = [];
started = process.hrtime.bigint();
writeOpenMetrics(world, { start: end - hours * HOUR, end }, (chunk) => chunks.push(chunk));
const text = chunks.join('');
const exportSeconds = seconds(started);
const directory = mkdtempSync(join(tmpdir(), 'aiops-bench-'));
writeFileSync(join(directory, 'history.om'), text);
started = process.hrtime.bigint();
execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(directory, 'history.om'), join(directory, 'data')], { stdio: 'ignore' });
const backfillSeconds = seconds(started);

// 3. The same range queries through both sources.
const port = await freePort();
writeFileSync(join(directory, 'prometheus.yml'), 'scrape_configs: []\n');
const prometheusProcess = spawn('prometheus', [`--config.file=${join(directory, 'prometheus.yml')}`, `--storage.tsdb.path=${join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=10y'], { stdio: 'ignore' });
try {
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const prometheus = new PrometheusMetrics({ url, catalogue });
  const simulated = new SimulatedMetrics(newWorld(), catalogue);
  const range = { start: new Date(end - hours * HOUR + 5 * 60_000), end: new Date(end), stepSeconds: 60 };
  const timeQueries = async (source: { range: PrometheusMetrics['range'] }) => {
    const start = process.hrtime.bigint();
    let samples = 0;
    for (const service of Object.keys(catalogue.services)) {
      for (const signal of SIGNALS) samples += (await source.range(service, signal, range)).samples.length;
    }
    return { seconds: seconds(start), samples };
  };
  await timeQueries(prometheus); // warm Prometheus' caches once, as a long-running bot would have
  const simulatedQueries = await timeQueries(simulated);
  const prometheusQueries = await timeQueries(prometheus);
  const queries = Object.keys(catalogue.services).length * SIGNALS.length;

  const lines = [
    `date: ${new Date().toISOString()}  machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}  history: ${hours} h at 60 s, 10 services`,
    `cold simulation: ${serviceMinutes} service-minutes in ${snapshotSeconds.toFixed(2)} s = ${Math.round(serviceMinutes / snapshotSeconds)} service-minutes/s`,
    `OpenMetrics export: ${(text.length / 1e6).toFixed(1)} MB, ${text.split('\n').length} lines in ${exportSeconds.toFixed(2)} s; promtool backfill ${backfillSeconds.toFixed(2)} s (export/backfill = ${(exportSeconds / backfillSeconds).toFixed(2)})`,
    `${queries} range queries (${simulatedQueries.samples} samples): simulated ${(simulatedQueries.seconds * 1000).toFixed(0)} ms, Prometheus ${(prometheusQueries.seconds * 1000).toFixed(0)} ms (simulated/Prometheus = ${(simulatedQueries.seconds / prometheusQueries.seconds).toFixed(2)}); same sample count: ${simulatedQueries.samples === prometheusQueries.samples}`,
  ];
  console.log(lines.join('\n'));
} finally {
  prometheusProcess.kill('SIGTERM');
  await new Promise((resolve) => prometheusProcess.once('exit', resolve));
  rmSync(directory, { recursive: true, force: true });
}
