/**
 * How long a capacity-forecast chart takes to draw, in this process: a realistic chart of 14 days of
 * 5-minute history (4,032 points, with a gap and a spike), a one-day forecast (288 points) with its
 * 95% band, and a limit line, built as SVG (forecastChartSvg) and rendered to PNG with resvg and the
 * DejaVu fonts (renderPng), at the default 1000 × 500. 3 untimed warm-ups, then the timed runs;
 * each stage is timed on its own and together.
 *
 *   npm run -s bench:chart [-- --runs 30]
 *
 * Target: under 300 ms in all at the median. Exits 1 when it is missed.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { forecastChartSvg, type ForecastChartInput } from '../src/charts/forecast-chart.js';
import { renderPng } from '../src/charts/render-png.js';
import { quantile } from '../src/rca/robust-z.js';

const TARGET_MILLISECONDS = 300;
const WARM_UPS = 3;
const STEP = 5 * 60_000;
const DAY_STEPS = 288;
const HISTORY_STEPS = 14 * DAY_STEPS;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);

/** A daily wave with a slow climb, noise, a weekend dip, a one-sample spike and an hour of missing scrapes. */
function realisticChart(): ForecastChartInput {
  const start = Date.UTC(2026, 10, 20);
  const level = (index: number): number => 0.7 + 0.35 * Math.sin((2 * Math.PI * index) / DAY_STEPS - Math.PI / 2) + 0.00004 * index - (Math.floor(index / DAY_STEPS) % 7 >= 5 ? 0.1 : 0);
  const history = Array.from({ length: HISTORY_STEPS }, (_, index) => ({
    timestamp: start + index * STEP,
    value: index >= 1500 && index < 1512 ? Number.NaN : index === 3000 ? 1.4 : level(index) + 0.04 * Math.sin(index * 12.9898),
  }));
  const forecast = Array.from({ length: DAY_STEPS }, (_, step) => {
    const value = level(HISTORY_STEPS + step);
    const halfWidth = 0.08 + 0.0004 * step;
    return { timestamp: start + (HISTORY_STEPS + step) * STEP, value, lower: value - halfWidth, upper: value + halfWidth };
  });
  return {
    title: 'order-service CPU: 24 h forecast',
    subtitle: 'model: seasonal decomposition (daily), backtest MAE 0.04 cores',
    unit: 'cores',
    history,
    forecast,
    limit: { value: 1.5, label: 'limit 1.5 cores (3 pods × 0.5)' },
  };
}

const chart = realisticChart();
const svgTimes: number[] = [];
const pngTimes: number[] = [];
const totalTimes: number[] = [];
let pngBytes = 0;
let svgCharacters = 0;
for (let run = 0; run < WARM_UPS + runs; run += 1) {
  const started = performance.now();
  const svg = forecastChartSvg(chart);
  const built = performance.now();
  const png = renderPng(svg);
  const rendered = performance.now();
  if (run < WARM_UPS) continue;
  svgTimes.push(built - started);
  pngTimes.push(rendered - built);
  totalTimes.push(rendered - started);
  pngBytes = png.length;
  svgCharacters = svg.length;
}

const format = (milliseconds: number): string => milliseconds.toFixed(1);
const date = new Date().toISOString().slice(0, 10);
console.log(`${date}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; ${HISTORY_STEPS} history + ${DAY_STEPS} forecast points, 1000 × 500, ${runs} runs after ${WARM_UPS} warm-ups\n`);
console.log('| stage | median ms | p95 ms |');
console.log('|---|---:|---:|');
for (const [stage, times] of [['SVG build (forecastChartSvg)', svgTimes], ['PNG render (renderPng)', pngTimes], ['total', totalTimes]] as const) {
  console.log(`| ${stage} | ${format(quantile(times, 0.5))} | ${format(quantile(times, 0.95))} |`);
}
const median = quantile(totalTimes, 0.5);
const met = median < TARGET_MILLISECONDS;
console.log(`\nSVG ${svgCharacters.toLocaleString('en')} characters, PNG ${pngBytes.toLocaleString('en')} bytes`);
console.log(`chart render: ${format(median)} ms median, ${format(quantile(totalTimes, 0.95))} ms p95 in all (SVG ${format(quantile(svgTimes, 0.5))} ms, PNG ${format(quantile(pngTimes, 0.5))} ms); target < ${TARGET_MILLISECONDS} ms: ${met ? 'met' : 'MISSED'}`);
if (!met) process.exitCode = 1;
