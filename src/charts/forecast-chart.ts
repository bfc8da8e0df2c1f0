import { formatQuantity, type QuantityUnit } from '../format-quantity.js';
import type { Sample } from '../signals.js';

/** One step of a forecast: the point forecast and its 95% prediction interval. */
export interface ForecastPoint {
  timestamp: number;
  value: number;
  lower: number;
  upper: number;
}

export interface ForecastChartInput {
  /** Bold, at the top: "order-service request rate: 24 h forecast". */
  title: string;
  /** One grey line under the title: "model: seasonal decomposition (daily), backtest MAE 3.1 req/s". */
  subtitle?: string;
  /** The unit of every value; the y axis is labelled through formatQuantity. */
  unit: QuantityUnit;
  /** What was observed, oldest first; a NaN value is a gap and breaks the line. */
  history: Sample[];
  /** The point forecast with its 95% interval band, oldest first. */
  forecast: ForecastPoint[];
  /** A horizontal dashed red line with its label: "limit 1.5 cores (3 pods × 0.5)". */
  limit?: { value: number; label: string };
}

/** Pixels; 1000 × 500 by default, which Slack shows without scaling down on a laptop. */
export interface ChartSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: ChartSize = { width: 1000, height: 500 };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The epoch was a Thursday: weekly ticks fall on Mondays, four days later. */
const FIRST_MONDAY = 4 * DAY;
const TIME_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const COLOURS = {
  background: '#ffffff',
  title: '#111827',
  text: '#4b5563',
  grid: '#e5e7eb',
  axis: '#9ca3af',
  history: '#1f2937',
  forecast: '#2563eb',
  band: '#3b82f6',
  limit: '#dc2626',
  now: '#6b7280',
};
const BAND_OPACITY = 0.2;

const TITLE_FONT_SIZE = 18;
const SUBTITLE_FONT_SIZE = 13;
const LABEL_FONT_SIZE = 12;
/** DejaVu Sans is wide: about 0.62 em a character on average. An estimate is enough for layout; resvg measures nothing for us. */
const CHARACTER_WIDTH_EM = 0.62;
/** The least room between two time labels. */
const TIME_LABEL_GAP = 30;

interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Scale {
  toX: (timestamp: number) => number;
  toY: (value: number) => number;
}

/**
 * The SVG of a capacity-forecast chart: history, the forecast with its 95% band, a "now" marker
 * between them and the limit the forecast is judged against, with axes in the signal's unit and
 * UTC times. Pure; renderPng turns it into the PNG that Slack shows.
 */
export function forecastChartSvg(input: ForecastChartInput, size: ChartSize = DEFAULT_SIZE): string {
  const { width, height } = size;
  const history = input.history.filter((sample) => Number.isFinite(sample.timestamp));
  const forecast = input.forecast.filter((point) => Number.isFinite(point.timestamp));
  const limit = input.limit && Number.isFinite(input.limit.value) ? input.limit : undefined;

  const valueTicks = niceValueTicks(valueExtent(history, forecast, limit), input.unit);
  const valueLabels = valueTicks.map((tick) => formatQuantity(tick, input.unit));
  const widestValueLabel = Math.max(...valueLabels.map((label) => textWidth(label, LABEL_FONT_SIZE)));
  const top = input.subtitle ? 76 : 56;
  const area: PlotArea = { left: Math.max(48, Math.ceil(widestValueLabel) + 18), top, right: width - 24, bottom: height - 64 };

  const timeExtent = timestampExtent(history, forecast);
  const lowestValue = valueTicks[0]!;
  const highestValue = valueTicks[valueTicks.length - 1]!;
  const scale: Scale = {
    toX: (timestamp) => area.left + ((timestamp - timeExtent.start) / (timeExtent.end - timeExtent.start)) * (area.right - area.left),
    toY: (value) => area.bottom - ((value - lowestValue) / (highestValue - lowestValue)) * (area.bottom - area.top),
  };

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans">`,
    // Opaque, so the chart reads the same in Slack's dark theme.
    `<rect width="${width}" height="${height}" fill="${COLOURS.background}"/>`,
    ...headerParts(input, width),
    ...valueAxisParts(valueTicks, valueLabels, area, scale),
  ];
  if (timeExtent.empty) {
    parts.push(text('no data', (area.left + area.right) / 2, (area.top + area.bottom) / 2, { size: 14, anchor: 'middle', fill: COLOURS.text }));
  } else {
    parts.push(...timeAxisParts(timeExtent, area, scale));
    parts.push(...seriesParts(history, forecast, area, scale));
  }
  if (limit) parts.push(...limitParts(limit, area, scale));
  parts.push(`<line x1="${area.left}" y1="${area.bottom}" x2="${area.right}" y2="${area.bottom}" stroke="${COLOURS.axis}"/>`);
  const drawn = {
    history: history.some((sample) => Number.isFinite(sample.value)),
    forecast: forecast.some((point) => Number.isFinite(point.value)),
    band: forecast.some((point) => Number.isFinite(point.lower) && Number.isFinite(point.upper)),
    limit: limit !== undefined,
  };
  parts.push(...legendParts(drawn, area.left, height - 14));
  parts.push('</svg>');
  return parts.join('\n');
}

function headerParts(input: ForecastChartInput, width: number): string[] {
  const available = width - 32;
  const parts = [text(fitText(input.title, TITLE_FONT_SIZE, available), 16, 30, { size: TITLE_FONT_SIZE, weight: 'bold', fill: COLOURS.title, className: 'title' })];
  if (input.subtitle) parts.push(text(fitText(input.subtitle, SUBTITLE_FONT_SIZE, available), 16, 52, { size: SUBTITLE_FONT_SIZE, fill: COLOURS.text, className: 'subtitle' }));
  return parts;
}

/** Every finite value the chart must show: history, forecast, its band and the limit. */
function valueExtent(history: readonly Sample[], forecast: readonly ForecastPoint[], limit: { value: number } | undefined): { minimum: number; maximum: number } {
  let minimum = Infinity;
  let maximum = -Infinity;
  const include = (value: number): void => {
    if (!Number.isFinite(value)) return;
    if (value < minimum) minimum = value;
    if (value > maximum) maximum = value;
  };
  for (const sample of history) include(sample.value);
  for (const point of forecast) {
    include(point.value);
    include(point.lower);
    include(point.upper);
  }
  if (limit) include(limit.value);
  if (minimum > maximum) return { minimum: 0, maximum: 1 };
  if (minimum === maximum) {
    // A flat series sits in the middle of an axis that still starts at 0 (or ends there when negative).
    if (minimum === 0) return { minimum: 0, maximum: 1 };
    return minimum > 0 ? { minimum: 0, maximum: minimum * 1.5 } : { minimum: minimum * 1.5, maximum: 0 };
  }
  const padding = (maximum - minimum) * 0.06;
  // An axis from 0 shows how full a resource is; one cut to the data's range exaggerates small swings.
  // Only when the data sit far above 0 (a floor more than half the peak) does the axis start near them.
  const lowest = minimum >= 0 && minimum <= maximum / 2 ? 0 : minimum - padding;
  return { minimum: lowest, maximum: maximum + padding };
}

/**
 * 4 to 6 ticks at round steps covering the extent. Steps are 1, 2 or 5 × 10^k (not 2.5, whose ticks
 * formatQuantity would round: "1.25%" is written "1.3%"), and powers of two for bytes, which
 * formatQuantity writes in KiB, MiB and GiB. A step whose labels would repeat or round is skipped.
 */
function niceValueTicks(extent: { minimum: number; maximum: number }, unit: QuantityUnit): number[] {
  const { minimum, maximum } = extent;
  for (const step of candidateSteps((maximum - minimum) / 5, unit)) {
    const first = Math.floor(minimum / step + 1e-9);
    const last = Math.max(first + 1, Math.ceil(maximum / step - 1e-9));
    const intervals = last - first;
    if (intervals > 5) continue;
    const ticks = Array.from({ length: intervals + 1 }, (_, index) => Number(((first + index) * step).toPrecision(12)));
    const labels = ticks.map((tick) => formatQuantity(tick, unit));
    if (new Set(labels).size !== labels.length) continue;
    if (unit === 'bytes' && !ticks.every((tick, index) => bytesLabelIsExact(tick, labels[index]!))) continue;
    return ticks;
  }
  return [minimum, maximum];
}

function candidateSteps(roughStep: number, unit: QuantityUnit): number[] {
  const steps: number[] = [];
  if (unit === 'bytes' && roughStep >= 1) {
    const exponent = Math.floor(Math.log2(roughStep));
    for (let power = Math.max(0, exponent - 1); power <= exponent + 8; power += 1) steps.push(2 ** power);
    return steps;
  }
  const exponent = Math.floor(Math.log10(roughStep));
  for (let power = exponent - 1; power <= exponent + 3; power += 1) {
    for (const multiple of [1, 2, 5]) steps.push(multiple * 10 ** power);
  }
  return steps;
}

const BYTE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Whether formatQuantity wrote the byte count without rounding it ("1.3 GiB" for 1.25 GiB is not). */
function bytesLabelIsExact(value: number, label: string): boolean {
  const match = /^(-?[\d.]+) (B|KiB|MiB|GiB)$/.exec(label);
  if (!match) return false;
  return Math.abs(Number(match[1]) * BYTE_UNITS[match[2]!]! - value) < 1e-6 * Math.max(1, Math.abs(value));
}

function valueAxisParts(ticks: readonly number[], labels: readonly string[], area: PlotArea, scale: Scale): string[] {
  return ticks.flatMap((tick, index) => {
    const y = round(scale.toY(tick));
    return [
      `<line x1="${area.left}" y1="${y}" x2="${area.right}" y2="${y}" stroke="${COLOURS.grid}"/>`,
      text(labels[index]!, area.left - 8, y + 4, { size: LABEL_FONT_SIZE, anchor: 'end', fill: COLOURS.text, className: 'value-tick' }),
    ];
  });
}

interface TimeExtent {
  start: number;
  end: number;
  /** Nothing to draw: no history and no forecast. */
  empty: boolean;
}

function timestampExtent(history: readonly Sample[], forecast: readonly ForecastPoint[]): TimeExtent {
  let start = Infinity;
  let end = -Infinity;
  for (const { timestamp } of [...edges(history), ...edges(forecast)]) {
    start = Math.min(start, timestamp);
    end = Math.max(end, timestamp);
  }
  if (start > end) return { start: 0, end: 1, empty: true };
  // One instant still needs a span to place it in.
  if (start === end) return { start: start - HOUR, end: end + HOUR, empty: false };
  return { start, end, empty: false };
}

/** The first and last element: both series arrive oldest first. */
function edges<Item>(items: readonly Item[]): Item[] {
  return items.length === 0 ? [] : [items[0]!, items[items.length - 1]!];
}

/** Ticks at the smallest round UTC step (a minute up to 4 weeks) whose labels do not crowd each other. */
function timeAxisParts(extent: TimeExtent, area: PlotArea, scale: Scale): string[] {
  const span = extent.end - extent.start;
  const step =
    TIME_STEPS.find((candidate) => {
      const labelSpacing = textWidth(timeLabel(extent.start, candidate >= DAY), LABEL_FONT_SIZE) + TIME_LABEL_GAP;
      return span / candidate + 1 <= Math.max(2, (area.right - area.left) / labelSpacing);
    }) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const origin = step >= 7 * DAY ? FIRST_MONDAY : 0;
  const parts: string[] = [];
  for (let tick = Math.ceil((extent.start - origin) / step) * step + origin; tick <= extent.end; tick += step) {
    const x = round(scale.toX(tick));
    const label = timeLabel(tick, step >= DAY);
    const halfWidth = textWidth(label, LABEL_FONT_SIZE) / 2;
    parts.push(`<line x1="${x}" y1="${area.top}" x2="${x}" y2="${area.bottom}" stroke="${COLOURS.grid}"/>`);
    parts.push(`<line x1="${x}" y1="${area.bottom}" x2="${x}" y2="${area.bottom + 5}" stroke="${COLOURS.axis}"/>`);
    // A label centred on a tick at the chart's edge would be cut off.
    if (x - halfWidth >= 0 && x + halfWidth <= area.right + 20) {
      parts.push(text(label, x, area.bottom + 20, { size: LABEL_FONT_SIZE, anchor: 'middle', fill: COLOURS.text, className: 'time-tick' }));
    }
  }
  parts.push(text('UTC', area.right, area.bottom + 38, { size: 11, anchor: 'end', fill: COLOURS.axis }));
  return parts;
}

/** "Dec 04 12:00", or "Dec 04" when ticks are whole days apart. */
function timeLabel(timestamp: number, dateOnly: boolean): string {
  const date = new Date(timestamp);
  const day = `${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())}`;
  return dateOnly ? day : `${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

function seriesParts(history: readonly Sample[], forecast: readonly ForecastPoint[], area: PlotArea, scale: Scale): string[] {
  const parts: string[] = [];
  const finiteForecast = forecast.filter((point) => Number.isFinite(point.lower) && Number.isFinite(point.upper));
  if (finiteForecast.length > 0) {
    const upper = finiteForecast.map((point) => `${round(scale.toX(point.timestamp))},${round(scale.toY(point.upper))}`);
    const lower = finiteForecast.map((point) => `${round(scale.toX(point.timestamp))},${round(scale.toY(point.lower))}`).reverse();
    parts.push(`<path class="band" d="M${[...upper, ...lower].join('L')}Z" fill="${COLOURS.band}" fill-opacity="${BAND_OPACITY}" stroke="none"/>`);
  }
  const now = history.length > 0 ? history[history.length - 1]!.timestamp : forecast[0]?.timestamp;
  if (now !== undefined && forecast.length > 0) {
    const x = round(scale.toX(now));
    parts.push(`<line class="now" x1="${x}" y1="${area.top}" x2="${x}" y2="${area.bottom}" stroke="${COLOURS.now}" stroke-dasharray="3 3"/>`);
    parts.push(text('now', x, area.top - 6, { size: 11, anchor: 'middle', fill: COLOURS.now }));
  }
  const historyPath = linePath(thinToPixels(history, scale), scale);
  if (historyPath) parts.push(`<path class="history" d="${historyPath}" fill="none" stroke="${COLOURS.history}" stroke-width="1.3" stroke-linejoin="round"/>`);
  // The forecast line starts from the last observation, so the two read as one story.
  const lastObserved = history.length > 0 && Number.isFinite(history[history.length - 1]!.value) ? [history[history.length - 1]!] : [];
  const forecastPath = linePath([...lastObserved, ...forecast], scale);
  if (forecastPath && forecast.length > 0) parts.push(`<path class="forecast" d="${forecastPath}" fill="none" stroke="${COLOURS.forecast}" stroke-width="2" stroke-linejoin="round"/>`);
  return parts;
}

/**
 * At most two samples a pixel column, its lowest and highest in the order they came: 14 days at
 * 5 minutes is four points a pixel, more than the eye can see, yet a one-sample spike must stay.
 * NaN values are kept as gaps.
 */
function thinToPixels(samples: readonly Sample[], scale: Scale): Sample[] {
  const thinned: Sample[] = [];
  let column = Number.NaN;
  let lowest: Sample | undefined;
  let highest: Sample | undefined;
  const flush = (): void => {
    if (lowest && highest) {
      if (lowest === highest) thinned.push(lowest);
      else thinned.push(...(lowest.timestamp <= highest.timestamp ? [lowest, highest] : [highest, lowest]));
    }
    lowest = undefined;
    highest = undefined;
  };
  for (const sample of samples) {
    if (!Number.isFinite(sample.value)) {
      flush();
      thinned.push(sample);
      continue;
    }
    const sampleColumn = Math.floor(scale.toX(sample.timestamp));
    if (sampleColumn !== column) {
      flush();
      column = sampleColumn;
    }
    if (!lowest || sample.value < lowest.value) lowest = sample;
    if (!highest || sample.value > highest.value) highest = sample;
  }
  flush();
  return thinned;
}

/** "M x,y L x,y …", starting a new subpath after every gap; empty when there is nothing to draw. */
function linePath(samples: readonly Sample[], scale: Scale): string {
  let path = '';
  let drawing = false;
  for (const sample of samples) {
    if (!Number.isFinite(sample.value)) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${round(scale.toX(sample.timestamp))},${round(scale.toY(sample.value))}`;
    drawing = true;
  }
  return path;
}

function limitParts(limit: { value: number; label: string }, area: PlotArea, scale: Scale): string[] {
  const y = round(scale.toY(limit.value));
  // Above the line, unless that would leave the plot.
  const labelY = y - 6 - LABEL_FONT_SIZE < area.top ? y + LABEL_FONT_SIZE + 4 : y - 6;
  return [
    `<line class="limit" x1="${area.left}" y1="${y}" x2="${area.right}" y2="${y}" stroke="${COLOURS.limit}" stroke-width="1.5" stroke-dasharray="8 5"/>`,
    text(limit.label, area.right - 6, labelY, { size: LABEL_FONT_SIZE, anchor: 'end', fill: COLOURS.limit, weight: 'bold', halo: true, className: 'limit-label' }),
  ];
}

/** An entry for each thing the chart drew, so the legend never names a line that is not there. */
function legendParts(drawn: Record<'history' | 'forecast' | 'band' | 'limit', boolean>, left: number, baseline: number): string[] {
  const parts: string[] = [];
  let x = left;
  const entry = (swatch: string, label: string): void => {
    parts.push(swatch);
    parts.push(text(label, x + 30, baseline, { size: LABEL_FONT_SIZE, fill: COLOURS.text }));
    x += 30 + textWidth(label, LABEL_FONT_SIZE) + 24;
  };
  const middle = baseline - 4;
  if (drawn.history) entry(`<line x1="${x}" y1="${middle}" x2="${x + 22}" y2="${middle}" stroke="${COLOURS.history}" stroke-width="2"/>`, 'history');
  if (drawn.forecast) entry(`<line x1="${x}" y1="${middle}" x2="${x + 22}" y2="${middle}" stroke="${COLOURS.forecast}" stroke-width="2"/>`, 'forecast');
  if (drawn.band) entry(`<rect x="${x}" y="${middle - 6}" width="22" height="12" fill="${COLOURS.band}" fill-opacity="${BAND_OPACITY}"/>`, '95% interval');
  if (drawn.limit) entry(`<line x1="${x}" y1="${middle}" x2="${x + 22}" y2="${middle}" stroke="${COLOURS.limit}" stroke-width="1.5" stroke-dasharray="5 3"/>`, 'limit');
  return parts;
}

interface TextStyle {
  size: number;
  fill: string;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'bold';
  /** A white outline under the glyphs, so a label stays legible over the lines it crosses. */
  halo?: boolean;
  className?: string;
}

function text(content: string, x: number, y: number, style: TextStyle): string {
  const attributes = [
    style.className ? `class="${style.className}"` : '',
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-size="${style.size}"`,
    `fill="${style.fill}"`,
    style.anchor && style.anchor !== 'start' ? `text-anchor="${style.anchor}"` : '',
    style.weight ? `font-weight="${style.weight}"` : '',
    style.halo ? `stroke="${COLOURS.background}" stroke-width="3" stroke-linejoin="round" paint-order="stroke"` : '',
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

/** The text cut with an ellipsis where it would run past the chart's edge. */
function fitText(content: string, fontSize: number, available: number): string {
  if (textWidth(content, fontSize) <= available) return content;
  const characters = Math.max(1, Math.floor(available / (fontSize * CHARACTER_WIDTH_EM)) - 1);
  return `${content.slice(0, characters)}…`;
}

function textWidth(content: string, fontSize: number): number {
  return content.length * fontSize * CHARACTER_WIDTH_EM;
}

const XML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

function escapeXml(content: string): string {
  return content.replace(/[<>&"']/g, (character) => XML_ENTITIES[character]!);
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** One decimal: a tenth of a pixel is below what antialiasing shows, and halves the SVG. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}
