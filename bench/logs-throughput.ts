/**
 * Template mining where users feel it, on 1.6 million lines (the 16,000 Loghub-2k messages of the
 * development sets, 100 times over):
 *
 * - `aiops logs templates --input F --output F` as a whole process (start-up, reading, mining,
 *   writing the CSV), pinned to one core with `taskset` where it exists;
 * - the miner alone in a fresh process (`new TemplateMiner()`, the product's configuration);
 * - the miner in the bot's process: one that has loaded what `aiops start` loads (src/cli.ts:
 *   config, logger, src/commands/start.ts, hence the workers and ioredis 6, whose `class
 *   VerbatimString extends String` slows every string method call in V8 11), mining with the
 *   log-mining job's own factory (`LOG_MINERS` in src/jobs/log-miners.ts);
 * - the log-mining job's whole work per line in that process (`minePage`: secret redaction, the
 *   miner, the counts per minute and template), in pages of the job's size; Redis left out.
 *
 * Runs alternate so that the machine's noise falls on every subject alike (the two miners swap
 * places each round); medians of 3, and the ratio of the medians, bot / alone.
 *
 *   npm run -s bench:logs:throughput [-- --datasets ../shared/datasets]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LogMiner } from '../src/jobs/mine-service-logs.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { datasets: { type: 'string', default: join(REPOSITORY_ROOT, '..', 'shared', 'datasets') }, subject: { type: 'string' }, input: { type: 'string' } } });

if (values.subject) {
  // A child run: mine the file's lines and print the lines per second of the mining loop alone.
  const lines = readFileSync(values.input!, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (values.subject === 'job') {
    const miner = await botMiner();
    const { LOG_MINING_DEFAULTS, minePage } = await import('../src/jobs/mine-service-logs.js');
    const size = LOG_MINING_DEFAULTS.pageSize;
    const bucket = LOG_MINING_DEFAULTS.bucketSeconds * 1000;
    // Ten lines a second from a fixed start: a minute's bucket holds 600 of them.
    const pages = Array.from({ length: Math.ceil(lines.length / size) }, (_, page) => lines.slice(page * size, (page + 1) * size).map((message, index) => ({ timestamp: 1_700_000_000_000 + (page * size + index) * 100, service: 'bench', level: 'info' as const, message })));
    const details = new Map();
    const started = performance.now();
    for (const page of pages) minePage(page, miner, details, new Map(), bucket);
    console.log(String(lines.length / ((performance.now() - started) / 1000)));
    process.exit(0);
  }
  const miner = values.subject === 'bot' ? await botMiner() : new (await import('../src/logs/template-miner.js')).TemplateMiner();
  const started = performance.now();
  for (const line of lines) miner.add(line);
  console.log(String(lines.length / ((performance.now() - started) / 1000)));
  process.exit(0);
}

const loghub = join(values.datasets!, 'loghub');
const messages = readdirSync(loghub, { withFileTypes: true }).filter((entry) => entry.isDirectory()).sort((left, right) => left.name.localeCompare(right.name)).map((entry) => readFileSync(join(loghub, entry.name, 'content.txt'), 'utf8').replace(/\n$/, ''));
const directory = mkdtempSync(join(tmpdir(), 'aiops-logs-throughput-'));
const input = join(directory, 'lines.log');
const block = messages.join('\n');
writeFileSync(input, `${Array.from({ length: 100 }, () => block).join('\n')}\n`);
const lineCount = readFileSync(input, 'utf8').split('\n').length - 1;
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pin = (command: string[]) => (pinned ? ['taskset', '-c', '0', ...command] : command);

const ALONE = 'miner alone';
const BOT = "miner in the bot's process (ioredis loaded, the job's factory)";
const JOB = "the log-mining job's work per line in the bot's process (redaction, miner, counts: minePage)";
const results: Record<string, number[]> = { 'aiops logs templates (whole process)': [], [ALONE]: [], [BOT]: [], [JOB]: [] };
for (let round = 0; round < 3; round += 1) {
  const [command, ...rest] = pin([process.execPath, '--import', 'tsx', 'src/main.ts', 'logs', 'templates', '--input', input, '--output', join(directory, 'out.csv')]);
  const started = performance.now();
  const cli = spawnSync(command!, rest, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`aiops logs templates failed: ${cli.stderr}`);
  results['aiops logs templates (whole process)']!.push(lineCount / ((performance.now() - started) / 1000));
  const miners = [[ALONE, 'alone'], [BOT, 'bot'], [JOB, 'job']] as const;
  for (const [name, subject] of round % 2 === 0 ? miners : [...miners].reverse()) {
    const [childCommand, ...childArguments] = pin([process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--subject', subject, '--input', input]);
    const child = spawnSync(childCommand!, childArguments, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
    results[name]!.push(Number(child.stdout.trim()));
  }
}
rmSync(directory, { recursive: true, force: true });

const median = (numbers: number[]) => [...numbers].sort((left, right) => left - right)[Math.floor(numbers.length / 2)]!;
console.log(`${lineCount.toLocaleString('en-US')} lines; ${pinned ? 'each process pinned to one core (taskset -c 0)' : 'not pinned (no taskset)'}; ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}\n`);
console.log('| subject | lines/s, median of 3 | runs |');
console.log('|---|---|---|');
for (const [name, runs] of Object.entries(results)) console.log(`| ${name} | ${Math.round(median(runs)).toLocaleString('en-US')} | ${runs.map((run) => Math.round(run).toLocaleString('en-US')).join(', ')} |`);
console.log(`\nbot / alone: ${(median(results[BOT]!) / median(results[ALONE]!)).toFixed(2)}; job / bot: ${(median(results[JOB]!) / median(results[BOT]!)).toFixed(2)}`);

/** A miner as the bot's log-mining job makes one, in a process that loaded what `aiops start` loads. */
async function botMiner(): Promise<LogMiner> {
  await Promise.all([import('../src/config.js'), import('../src/logger.js'), import('../src/commands/start.js')]);
  // The subject is void if the bot's graph stopped loading ioredis: say so rather than measure a fresh process again.
  if (!Object.keys(createRequire(import.meta.url).cache).some((path) => /ioredis[\\/]built[\\/]resp[\\/]verbatim-string/.test(path))) throw new Error('the bot\'s modules did not load ioredis 6 (VerbatimString); update this bench');
  const { LOG_MINERS } = await import('../src/jobs/log-miners.js');
  return LOG_MINERS.createMiner();
}
