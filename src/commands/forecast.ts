import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../duration.js';
import { inputError, unexpectedArgument } from '../errors.js';
import type { CommandIo } from './command-io.js';
import { csvFiles, parseSeriesCsv, type SeriesRow } from './series-csv.js';

export const FORECAST_HELP = `usage: aiops forecast --input FILE --horizon N|DURATION [--output FILE]
       aiops forecast --input FILE|DIR --backtest [--output FILE|DIR]

Forecasts a timestamp,value CSV (NAB's layout) past its last row with the bot's own forecaster:
every candidate model (seasonal naive, a robust daily/weekly decomposition with a damped level and
trend, a non-seasonal level) is backtested on the series' own recent past and the best one wins;
its backtest errors give the bounds. The step is the median spacing of the rows.

  --horizon N       steps to forecast (a whole number), or a duration such as 6h or 1d
  --backtest        the rolling-origin backtest of shared/datasets/forecast/README.md instead:
                    a week of warm-up, then one origin a day, forecasting 1 hour and 1 day ahead
                    from the rows up to each origin only; writes {"origins":[{origin, horizon,
                    yhat, upper}]}. A directory is walked for *.csv files and <category>/<stem>.json
                    written under --output (required then).
  --output          where the JSON goes (default: standard output, for one file)

Output of a forecast: {"step_seconds", "model", "timestamps", "point", "lower", "upper"} where
lower and upper are the one-sided 5% and 95% bounds.`;

export async function forecastCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { input: { type: 'string' }, output: { type: 'string' }, horizon: { type: 'string' }, backtest: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(`${FORECAST_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw unexpectedArgument('forecast', positionals[0]!, '--input');
  if (!values.input) throw inputError('--input', 'required: a timestamp,value CSV file (or, with --backtest, a directory of them)');
  if (values.backtest && values.horizon !== undefined) throw inputError('--horizon', 'not used with --backtest, whose horizons are 1 hour and 1 day');
  if (!values.backtest && values.horizon === undefined) throw inputError('--horizon', 'required: steps (e.g. 288) or a duration (e.g. 1d), or use --backtest');
  const input = await stat(values.input).catch(() => undefined);
  if (!input) throw inputError('--input', `${values.input} does not exist`);
  const { forecastSeries } = await import('../forecast/forecast-series.js');
  const { backtestPlan, nominalStepSeconds } = await import('../forecast/backtest-protocol.js');
  const { describeForecastModel } = await import('../forecast/describe-forecast-model.js');

  const readSeries = async (path: string) => {
    const rows = parseSeriesCsv(await readFile(path, 'utf8'), path);
    if (rows.length < 2) throw inputError(path, `expected at least 2 rows, got ${rows.length}`);
    const stepSeconds = nominalStepSeconds(rows.map((row) => row.timestamp));
    if (!Number.isFinite(stepSeconds)) throw inputError(path, 'expected increasing timestamps, got one repeated throughout');
    return { rows, stepSeconds, values: rows.map((row) => row.value), phaseOffset: Math.round(rows[0]!.timestamp / (stepSeconds * 1000)) };
  };

  const backtestFile = async (path: string) => {
    const series = await readSeries(path);
    const plan = backtestPlan(series.rows.length, series.stepSeconds);
    const origins: BacktestOrigin[] = [];
    for (const horizon of plan.horizons) {
      for (const origin of plan.origins.get(horizon)!) {
        const forecast = forecastSeries(series.values.slice(0, origin + 1), { stepSeconds: series.stepSeconds, horizon, phaseOffset: series.phaseOffset });
        if (forecast.status !== 'ok') continue;
        origins.push({ origin: series.rows[origin]!.timestampText, origin_index: origin, horizon, model: describeForecastModel(forecast.model, series.stepSeconds), yhat: forecast.point.map(round), upper: forecast.upper.map(round) });
      }
    }
    return { origins };
  };

  if (values.backtest) {
    if (!input.isDirectory()) {
      await emit(io, values.output, await backtestFile(values.input));
      return 0;
    }
    if (!values.output) throw inputError('--output', 'required with a directory: where <category>/<stem>.json files go');
    const files = await csvFiles(values.input);
    if (files.length === 0) throw inputError('--input', `${values.input} holds no .csv files`);
    for (const file of files) {
      const target = join(values.output, dirname(relative(values.input, file)), `${basename(file, '.csv')}.json`);
      await emit(io, target, await backtestFile(file));
    }
    io.stderr.write(`backtested ${files.length} files into ${values.output}\n`);
    return 0;
  }

  if (input.isDirectory()) throw inputError('--input', `${values.input} is a directory; a forecast reads one file (a directory needs --backtest)`);
  const series = await readSeries(values.input);
  const horizon = horizonSteps(values.horizon!, series.stepSeconds);
  const forecast = forecastSeries(series.values, { stepSeconds: series.stepSeconds, horizon, phaseOffset: series.phaseOffset });
  if (forecast.status !== 'ok') {
    throw inputError('--input', `${values.input} is too short to forecast ${horizon} steps: it needs at least ${forecast.stepsNeeded} rows with values, has ${forecast.stepsGiven}`);
  }
  const last = series.rows.at(-1)!.timestamp;
  await emit(io, values.output, {
    step_seconds: series.stepSeconds,
    model: describeForecastModel(forecast.model, series.stepSeconds),
    backtest: forecast.backtest,
    timestamps: forecast.point.map((_, index) => formatTimestamp(series.rows, last + (index + 1) * series.stepSeconds * 1000)),
    point: forecast.point.map(round),
    lower: forecast.lower.map(round),
    upper: forecast.upper.map(round),
  });
  return 0;
}

interface BacktestOrigin {
  origin: string;
  origin_index: number;
  horizon: number;
  model: string;
  yhat: number[];
  upper: number[];
}

function horizonSteps(text: string, stepSeconds: number): number {
  const duration = parseDuration(text);
  const steps = /^\d+$/.test(text) ? Number(text) : duration === undefined ? Number.NaN : Math.round(duration / 1000 / stepSeconds);
  if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) {
    throw inputError('--horizon', `expected a whole number of steps from 1 to 100000 or a duration such as 6h or 1d of at least one step (${stepSeconds} s), got "${text}"`);
  }
  return steps;
}

/** Forecast timestamps in the file's own style: NAB's "YYYY-MM-DD HH:MM:SS" or ISO 8601. */
function formatTimestamp(rows: readonly SeriesRow[], milliseconds: number): string {
  const iso = new Date(milliseconds).toISOString();
  return /^\d{4}-\d{2}-\d{2} /.test(rows[0]!.timestampText) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso;
}

/** Six significant digits: the data's own precision, and files a tenth the size. */
function round(value: number): number {
  return Number(value.toPrecision(6));
}

async function emit(io: CommandIo, path: string | undefined, body: unknown): Promise<void> {
  const text = `${JSON.stringify(body)}\n`;
  if (!path) {
    io.stdout.write(text);
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
