/**
 * How long forecasting takes: 1,000 series of 14 days at 5 minutes (4,032 points each), one day
 * ahead, through forecastSeries with its defaults (the function the hourly forecast jobs call),
 * in this one process (one core). The series mix what an estate holds: daily waves with noise,
 * weekly patterns, trends, bursts and gaps. Beside it, in the same run, the seasonal naive
 * forecast alone, as the floor any model pays.
 *
 *   npm run -s bench:forecast:speed [-- --series 1000]
 */
import { parseArgs } from 'node:util';
import { seasonalNaive } from '../src/forecast/forecast-candidates.js';
import { SeededRandom } from '../src/detection/seeded-random.js';
import { forecastSeries } from '../src/forecast/forecast-series.js';

const { values: options } = parseArgs({ options: { series: { type: 'string', default: '1000' } } });
const seriesCount = Number(options.series);
const DAY = 288;
const LENGTH = 14 * DAY;

function makeSeries(seed: number): Float64Array {
  const generator = new SeededRandom(seed);
  const draw = () => generator.next();
  const level = 10 + draw() * 1000;
  const daily = draw() * 0.5 * level;
  const weekend = draw() < 0.3 ? draw() * 0.3 * level : 0;
  const trend = (draw() - 0.5) * 0.0001 * level;
  const noise = draw() * 0.1 * level;
  const values = new Float64Array(LENGTH);
  for (let index = 0; index < LENGTH; index += 1) {
    const weekday = Math.floor(index / DAY) % 7;
    values[index] = level + daily * Math.sin((2 * Math.PI * index) / DAY) - (weekday >= 5 ? weekend : 0) + trend * index + noise * (draw() + draw() - 1);
    if (draw() < 0.002) values[index]! *= 5;
    if (seed % 10 === 0 && index > 3 * DAY && index < 3 * DAY + 36) values[index] = Number.NaN;
  }
  return values;
}

const all = Array.from({ length: seriesCount }, (_, seed) => makeSeries(seed + 1));
// Warm-up: the JIT's first calls are not what a long-running worker pays.
for (const series of all.slice(0, 20)) forecastSeries(series, { stepSeconds: 300, horizon: DAY });

let started = performance.now();
const kinds = new Map<string, number>();
for (const series of all) {
  const forecast = forecastSeries(series, { stepSeconds: 300, horizon: DAY });
  const kind = forecast.status === 'ok' ? forecast.model.kind : forecast.status;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}
const modelSeconds = (performance.now() - started) / 1000;
started = performance.now();
for (const series of all) seasonalNaive(series, DAY, DAY);
const naiveSeconds = (performance.now() - started) / 1000;

console.log(`| series | points each | horizon | forecastSeries | per series | seasonal naive alone | models chosen |`);
console.log(`|---|---|---|---|---|---|---|`);
console.log(`| ${seriesCount} | ${LENGTH} | ${DAY} steps (1 day) | ${modelSeconds.toFixed(2)} s | ${((modelSeconds * 1000) / seriesCount).toFixed(2)} ms | ${naiveSeconds.toFixed(3)} s | ${[...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ')} |`);
