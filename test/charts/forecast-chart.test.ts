import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forecastChartSvg, type ForecastChartInput, type ForecastPoint } from '../../src/charts/forecast-chart.js';
import { renderPng } from '../../src/charts/render-png.js';
import type { Sample } from '../../src/signals.js';

const STEP = 5 * 60_000;
const START = Date.UTC(2026, 11, 3, 0, 0);

/** Two days of a daily wave around 1 core, then one day of forecast with a widening band. */
function chartInput(overrides: Partial<ForecastChartInput> = {}): ForecastChartInput {
  const history: Sample[] = Array.from({ length: 576 }, (_, index) => ({ timestamp: START + index * STEP, value: 0.8 + 0.3 * Math.sin((2 * Math.PI * index) / 288) }));
  const forecast: ForecastPoint[] = Array.from({ length: 288 }, (_, index) => {
    const value = 0.8 + 0.3 * Math.sin((2 * Math.PI * index) / 288);
    const halfWidth = 0.05 + index * 0.0005;
    return { timestamp: START + (576 + index) * STEP, value, lower: value - halfWidth, upper: value + halfWidth };
  });
  return {
    title: 'order-service CPU: 24 h forecast',
    subtitle: 'model: seasonal decomposition (daily), backtest MAE 0.04 cores',
    unit: 'cores',
    history,
    forecast,
    limit: { value: 1.5, label: 'limit 1.5 cores (3 pods × 0.5)' },
    ...overrides,
  };
}

interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Uint8Array;
}

/** Enough of a PNG decoder for what resvg writes (8-bit RGBA or RGB, not interlaced), so the tests look at the bytes Slack gets. */
function decodePng(png: Buffer): DecodedPng {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colourType: number; interlace: number } | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8]!, colourType: body[9]!, interlace: body[12]! };
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error('no IHDR chunk');
  expect(header.bitDepth).toBe(8);
  expect(header.interlace).toBe(0);
  const channels = header.colourType === 6 ? 4 : header.colourType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const raw = inflateSync(Buffer.concat(data));
  const stride = header.width * channels;
  const rows = new Uint8Array(header.height * stride);
  for (let row = 0; row < header.height; row += 1) {
    const filter = raw[row * (stride + 1)]!;
    for (let column = 0; column < stride; column += 1) {
      const value = raw[row * (stride + 1) + 1 + column]!;
      const left = column >= channels ? rows[row * stride + column - channels]! : 0;
      const up = row > 0 ? rows[(row - 1) * stride + column]! : 0;
      const upLeft = row > 0 && column >= channels ? rows[(row - 1) * stride + column - channels]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      rows[row * stride + column] = (value + predictor) & 0xff;
    }
  }
  const pixels = new Uint8Array(header.width * header.height * 4);
  for (let index = 0; index < header.width * header.height; index += 1) {
    for (let channel = 0; channel < 4; channel += 1) pixels[index * 4 + channel] = channel < channels ? rows[index * channels + channel]! : 255;
  }
  return { width: header.width, height: header.height, pixels };
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const fromLeft = Math.abs(estimate - left);
  const fromUp = Math.abs(estimate - up);
  const fromUpLeft = Math.abs(estimate - upLeft);
  if (fromLeft <= fromUp && fromLeft <= fromUpLeft) return left;
  return fromUp <= fromUpLeft ? up : upLeft;
}

/** How many pixels in the rectangle pass the test. */
function countPixels(image: DecodedPng, box: { left: number; top: number; right: number; bottom: number }, test: (red: number, green: number, blue: number) => boolean): number {
  let count = 0;
  for (let y = box.top; y < box.bottom; y += 1) {
    for (let x = box.left; x < box.right; x += 1) {
      const index = (y * image.width + x) * 4;
      if (test(image.pixels[index]!, image.pixels[index + 1]!, image.pixels[index + 2]!)) count += 1;
    }
  }
  return count;
}

const isDark = (red: number, green: number, blue: number): boolean => red < 90 && green < 90 && blue < 90;
const isRed = (red: number, green: number, blue: number): boolean => red > 180 && green < 90 && blue < 90;
/** The band's translucent blue over white. */
const isBandBlue = (red: number, green: number, blue: number): boolean => blue > 230 && red > 180 && red < 235 && blue - red > 15;

/** Every y coordinate in a path's `d` attribute. */
function pathYs(svg: string, className: string): number[] {
  const path = new RegExp(`<path class="${className}" d="([^"]*)"`).exec(svg);
  if (!path) return [];
  return [...path[1]!.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((match) => Number(match[2]));
}

function texts(svg: string, className: string): string[] {
  return [...svg.matchAll(new RegExp(`<text class="${className}"[^>]*>([^<]*)</text>`, 'g'))].map((match) => match[1]!);
}

describe('forecastChartSvg and renderPng', () => {
  it('render a PNG of the requested size, 1000 × 500 by default', () => {
    const standard = decodePng(renderPng(forecastChartSvg(chartInput())));
    expect([standard.width, standard.height]).toEqual([1000, 500]);
    const small = decodePng(renderPng(forecastChartSvg(chartInput(), { width: 640, height: 320 })));
    expect([small.width, small.height]).toEqual([640, 320]);
  });

  it('draw the title as text: dark pixels where it stands, none without it', () => {
    const titleArea = { left: 10, top: 8, right: 300, bottom: 36 };
    const withTitle = decodePng(renderPng(forecastChartSvg(chartInput({ subtitle: undefined }))));
    const withoutTitle = decodePng(renderPng(forecastChartSvg(chartInput({ title: '', subtitle: undefined }))));
    expect(countPixels(withTitle, titleArea, isDark)).toBeGreaterThan(200);
    expect(countPixels(withoutTitle, titleArea, isDark)).toBe(0);
  });

  it('draw the band as a translucent area over the forecast and the limit as a dashed red line', () => {
    const svg = forecastChartSvg(chartInput());
    expect(svg).toMatch(/<path class="band" d="M[^"]+Z" fill="#[0-9a-f]{6}" fill-opacity="0\.\d+"/);
    const limit = /<line class="limit" x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"[^>]*stroke-dasharray/.exec(svg);
    expect(limit).not.toBeNull();
    const limitY = Number(limit![1]);
    expect(texts(svg, 'limit-label')).toEqual(['limit 1.5 cores (3 pods × 0.5)']);

    const image = decodePng(renderPng(svg));
    const limitRow = { left: 100, top: Math.round(limitY) - 1, right: 700, bottom: Math.round(limitY) + 2 };
    // Dashed: red along most of the row, with gaps.
    const redPixels = countPixels(image, limitRow, isRed);
    expect(redPixels).toBeGreaterThan(300);
    expect(redPixels).toBeLessThan(3 * 600);
    expect(countPixels(image, { left: 700, top: 150, right: 970, bottom: 400 }, isBandBlue)).toBeGreaterThan(2000);
  });

  it('stretch the value axis to a limit above all the data, with room to spare', () => {
    const svg = forecastChartSvg(chartInput({ limit: { value: 3, label: 'limit 3 cores' } }));
    const limitY = Number(/<line class="limit" x1="[\d.]+" y1="([\d.]+)"/.exec(svg)![1]);
    const dataYs = [...pathYs(svg, 'history'), ...pathYs(svg, 'band'), ...pathYs(svg, 'forecast')];
    // y grows downwards: the limit is above every point of the data, and below the top of the plot.
    expect(limitY).toBeLessThan(Math.min(...dataYs));
    const labels = texts(svg, 'value-tick');
    expect(labels[0]).toBe('0 cores');
    expect(labels.at(-1)).not.toBe('3 cores');
    expect(labels.length).toBeGreaterThanOrEqual(4);
    expect(labels.length).toBeLessThanOrEqual(6);
  });

  it('label the value axis in the unit at 4 to 6 round ticks, and bytes in binary units', () => {
    expect(texts(forecastChartSvg(chartInput()), 'value-tick')).toEqual(['0 cores', '0.5 cores', '1 core', '1.5 cores', '2 cores']);
    const gibibyte = 1024 ** 3;
    const memory = chartInput({ unit: 'bytes', history: chartInput().history.map((sample) => ({ ...sample, value: sample.value * gibibyte })), forecast: [], limit: { value: 1.5 * gibibyte, label: 'limit' } });
    expect(texts(forecastChartSvg(memory), 'value-tick')).toEqual(['0 B', '512 MiB', '1 GiB', '1.5 GiB', '2 GiB']);
  });

  it('label the time axis in UTC at round hours', () => {
    const labels = texts(forecastChartSvg(chartInput()), 'time-tick');
    expect(labels).toContain('Dec 04 00:00');
    expect(labels).toContain('Dec 04 12:00');
    expect(labels.length).toBeGreaterThanOrEqual(4);
  });

  it('escape the title, subtitle and limit label for XML', () => {
    const svg = forecastChartSvg(chartInput({ title: 'p99 <latency> & "errors"', subtitle: "it's <b>", limit: { value: 1.5, label: 'a < b & c' } }));
    expect(svg).toContain('p99 &lt;latency&gt; &amp; &quot;errors&quot;');
    expect(svg).toContain('it&apos;s &lt;b&gt;');
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg).not.toContain('<latency>');
    expect(decodePng(renderPng(svg)).width).toBe(1000);
  });

  it('render a flat series and an empty forecast', () => {
    const flat = chartInput({ history: chartInput().history.map((sample) => ({ ...sample, value: 0.5 })), forecast: [], limit: undefined });
    const svg = forecastChartSvg(flat);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).not.toContain('class="band"');
    expect(svg).not.toContain('class="now"');
    expect(new Set(pathYs(svg, 'history')).size).toBe(1);
    expect(texts(svg, 'value-tick')[0]).toBe('0 cores');
    expect(decodePng(renderPng(svg)).height).toBe(500);

    const zeros = forecastChartSvg(chartInput({ history: flat.history.map((sample) => ({ ...sample, value: 0 })), forecast: [], limit: undefined }));
    expect(zeros).not.toMatch(/NaN|Infinity/);
  });

  it('render an empty chart as "no data"', () => {
    const svg = forecastChartSvg(chartInput({ history: [], forecast: [], limit: undefined }));
    expect(svg).toContain('>no data</text>');
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(decodePng(renderPng(svg)).width).toBe(1000);
    const forecastOnly = forecastChartSvg(chartInput({ history: [] }));
    expect(forecastOnly).toContain('class="band"');
    expect(forecastOnly).not.toMatch(/NaN|Infinity/);
  });

  it('break the line at gaps and skip values that are not finite', () => {
    const history = chartInput().history.map((sample, index) => ({ ...sample, value: index >= 100 && index < 110 ? Number.NaN : index === 200 ? Infinity : sample.value }));
    const forecast = chartInput().forecast.map((point, index) => (index === 5 ? { ...point, lower: Number.NaN } : point));
    const svg = forecastChartSvg(chartInput({ history, forecast }));
    expect(svg).not.toMatch(/NaN|Infinity/);
    const historyPath = /<path class="history" d="([^"]*)"/.exec(svg)![1]!;
    expect(historyPath.match(/M/g)).toHaveLength(3);
  });

  it('thin 14 days of history to the pixels without losing a one-sample spike', () => {
    const history: Sample[] = Array.from({ length: 4032 }, (_, index) => ({ timestamp: START + index * STEP, value: index === 3001 ? 5 : 1 + 0.1 * Math.sin(index) }));
    const svg = forecastChartSvg(chartInput({ history, forecast: [], limit: undefined }));
    const ys = pathYs(svg, 'history');
    expect(ys.length).toBeLessThanOrEqual(2 * 1000);
    // Where 5 cores stands, from the first and last value ticks' positions (a label sits 4 px below its gridline).
    const ticks = [...svg.matchAll(/<text class="value-tick" x="[\d.]+" y="([\d.]+)"[^>]*>([\d.]+) cores?</g)].map((match) => ({ y: Number(match[1]) - 4, value: Number(match[2]) }));
    const [lowest, highest] = [ticks[0]!, ticks.at(-1)!];
    const fiveCoresY = lowest.y + ((highest.y - lowest.y) * (5 - lowest.value)) / (highest.value - lowest.value);
    expect(Math.min(...ys)).toBeCloseTo(fiveCoresY, 0);
  });
});
