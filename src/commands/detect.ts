import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { inputError, unexpectedArgument } from '../errors.js';
import type { CommandIo } from './command-io.js';
import { csvFiles, monotoneTimestamps, parseSeriesCsv, timeGoingBack } from './series-csv.js';

export const DETECT_HELP = `usage: aiops detect --input FILE|DIR --output FILE|DIR

Scores every row of a timestamp,value CSV (NAB's layout) with the streaming detector and writes
the same rows plus anomaly_score in [0,1]. Online: row i is scored from rows up to i only, one
fresh detector per file, the same settings for every file; the first 15% of rows (at most 750)
only teach it, as NAB's probationary period. A directory is walked for *.csv files and its tree
mirrored under --output. A file whose timestamps go back (a clock change) is still scored, every row
in file order, with one warning naming the first such row.`;

export async function detectCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { input: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    io.stdout.write(`${DETECT_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw unexpectedArgument('detect', positionals[0]!, '--input');
  if (!values.input) throw inputError('--input', 'required: a CSV file or a directory of them');
  if (!values.output) throw inputError('--output', 'required: where the scored rows go');
  const input = await stat(values.input).catch(() => undefined);
  if (!input) throw inputError('--input', `${values.input} does not exist`);
  if (!input.isDirectory()) {
    await scoreFile(values.input, values.output, io);
    return 0;
  }
  const files = await csvFiles(values.input);
  if (files.length === 0) throw inputError('--input', `${values.input} holds no .csv files`);
  for (const file of files) await scoreFile(file, join(values.output, relative(values.input, file)), io);
  io.stderr.write(`scored ${files.length} files into ${values.output}\n`);
  return 0;
}

async function scoreFile(inputPath: string, outputPath: string, io: CommandIo): Promise<void> {
  const rows = parseSeriesCsv(await readFile(inputPath, 'utf8'), inputPath);
  const back = timeGoingBack(rows);
  if (back !== undefined) {
    io.stderr.write(`warning: ${inputPath}:${back + 2}: timestamp ${rows[back]!.timestampText} is earlier than the row before (${rows[back - 1]!.timestampText}); every row is scored in file order, the detector's clock holding at the latest time\n`);
  }
  const timestamps = monotoneTimestamps(rows);
  // Loaded here, not at the top: `aiops detect --help` need not load the detector's schemas (zod).
  const { createDetector } = await import('../detection/create-detector.js');
  const detector = createDetector({ learningRows: learningRowsFor(rows.length) });
  const lines = ['timestamp,value,anomaly_score'];
  rows.forEach((row, index) => lines.push(`${row.timestampText},${row.valueText},${detector.update(timestamps[index]!, row.value)}`));
  await mkdir(dirname(outputPath), { recursive: true });
  await writeFile(outputPath, `${lines.join('\n')}\n`);
}

/**
 * NAB's probationary period: the first 15% of a file, at most 750 rows, only teaches the detector.
 * NAB hands it to every detector; it depends on the file's length, never on its labels.
 */
export function learningRowsFor(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}
