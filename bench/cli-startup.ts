/**
 * How long the command line takes to answer, as a user runs it, next to the eager start-up it replaced.
 *
 *   npm run bench:cli [-- --runs 10] [-- --slow-runs 5]
 *
 * The target: `aiops --help` and `aiops logs templates` on a 10-line file each under 1 s of
 * wall time. Every subject is a real process, spawned and timed from spawn to exit, the runs of all
 * subjects interleaved (the machine is shared and noisy), after one untimed run each (tsx compiles
 * a file once and caches it, as it does for a user after the first call):
 *
 *   now, npm        `npm run -s aiops -- …`, what the README tells a user to type
 *   now, node       `node --import tsx src/main.ts …`, the same without npm's own start-up
 *   eager, node     the same, after importing every module the command line used to import up front
 *                   (the bot's start-up, the investigation, the sources): what lazy imports save
 *   eager, tsx CLI  the eager start-up under the `tsx` CLI, which `npm run aiops` and `npm start`
 *                   ran before: tsx starts a second node process to run the file
 *
 * It also times the import of each heavy package alone (plain node, minus an empty node's start-up).
 * Exits 1 when a run fails or prints something unexpected, or when a target is missed at the median.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { quantile } from '../src/rca/robust-z.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_MILLISECONDS = 1_000;

/** What the command line imported before every command, before it loaded commands lazily. */
const EAGER_MODULES = [
  'src/config.ts',
  'src/logger.ts',
  'src/commands/start.ts',
  'src/commands/detect.ts',
  'src/commands/logs.ts',
  'src/commands/rca.ts',
  'src/commands/sim.ts',
  'src/commands/ask.ts',
  // What ask.ts imported at its top before it loaded them once there is a question.
  'src/investigation/investigate.ts',
  'src/investigation/create-investigation.ts',
  'src/commands/detection-pass.ts',
  'src/sources/create-sources.ts',
  'src/slack/blocks/answer-message.ts',
  'src/state/state.ts',
];

const HEAVY_PACKAGES = ['@kubernetes/client-node', '@langchain/openai', '@slack/bolt', '@elastic/elasticsearch', 'bullmq', 'ioredis', 'zod'];

interface Subject {
  name: string;
  command: string;
  file: string;
  args: string[];
  slow: boolean;
  /** Checks what the run printed; a benchmark of a failing command measures nothing. */
  expect: (stdout: string) => boolean;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, 'slow-runs': { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const slowRuns = Number(values['slow-runs']);

const directory = mkdtempSync(join(tmpdir(), 'aiops-bench-cli-'));
const logFile = join(directory, 'ten.log');
writeFileSync(logFile, Array.from({ length: 10 }, (_, index) => `2026-11-25T12:00:0${index}Z INFO user ${1000 + index} logged in from 10.0.0.${index} in ${index * 7} ms`).join('\n') + '\n');
// The eager start-up: import what the old cli.ts pulled in, then run the command line as usual.
const eagerMain = join(directory, 'eager-main.mts');
writeFileSync(
  eagerMain,
  [
    `await Promise.all(${JSON.stringify(EAGER_MODULES.map((path) => pathToFileURL(join(REPOSITORY_ROOT, path)).href))}.map((url) => import(url)));`,
    `await import(${JSON.stringify(pathToFileURL(join(REPOSITORY_ROOT, 'src/main.ts')).href)});`,
  ].join('\n'),
);
const tsxCli = join(REPOSITORY_ROOT, 'node_modules/tsx/dist/cli.mjs');

const commands: Array<{ command: string; args: string[]; expect: (stdout: string) => boolean }> = [
  { command: 'aiops --help', args: ['--help'], expect: (stdout) => stdout.startsWith('usage: aiops <command>') },
  { command: 'aiops logs templates (10 lines)', args: ['logs', 'templates', '--input', logFile], expect: (stdout) => stdout.startsWith('line,template_id,template\n') && stdout.split('\n').length === 12 },
];
const subjects: Subject[] = commands.flatMap(({ command, args, expect }) => [
  { name: 'now, npm', command, file: 'npm', args: ['run', '-s', 'aiops', '--', ...args], slow: false, expect },
  { name: 'now, node', command, file: process.execPath, args: ['--import', 'tsx', 'src/main.ts', ...args], slow: false, expect },
  { name: 'eager, node', command, file: process.execPath, args: ['--import', 'tsx', eagerMain, ...args], slow: true, expect },
  { name: 'eager, tsx CLI', command, file: process.execPath, args: [tsxCli, eagerMain, ...args], slow: true, expect },
]);
const packageSubjects: Subject[] = [
  { name: 'empty node', command: 'node -e 0', file: process.execPath, args: ['-e', '0'], slow: true, expect: () => true },
  { name: 'empty node with tsx', command: 'node --import tsx -e 0', file: process.execPath, args: ['--import', 'tsx', '-e', '0'], slow: true, expect: () => true },
  ...HEAVY_PACKAGES.flatMap((name) => [
    { name, command: `import('${name}')`, file: process.execPath, args: ['--input-type=module', '-e', `await import(${JSON.stringify(name)})`], slow: true, expect: () => true },
    // The command line loads through tsx's hooks, which every module of a package passes through.
    { name, command: `import('${name}') under tsx`, file: process.execPath, args: ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(name)})`], slow: true, expect: () => true },
  ]),
];

/** Wall time of one run, spawn to exit, in ms; throws when it fails or prints something unexpected. */
function timeRun(subject: Subject): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(subject.file, subject.args, { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0 || !subject.expect(stdout)) reject(new Error(`${subject.name}, ${subject.command}: exit ${code}\n${stdout.slice(0, 500)}\n${stderr.slice(0, 2000)}`));
      else resolve(milliseconds);
    });
  });
}

async function measure(all: Subject[]): Promise<Map<Subject, number[]>> {
  const times = new Map<Subject, number[]>(all.map((subject) => [subject, []]));
  for (const subject of all) await timeRun(subject);
  for (let round = 0; round < Math.max(runs, slowRuns); round += 1) {
    for (const subject of all) {
      if (round < (subject.slow ? slowRuns : runs)) times.get(subject)!.push(await timeRun(subject));
    }
  }
  return times;
}

const format = (milliseconds: number) => Math.round(milliseconds).toString();
const loadBefore = loadavg()[0]!;
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');

try {
  const times = await measure(subjects);
  const packageTimes = await measure(packageSubjects);
  const loadAfter = loadavg()[0]!;

  console.log(`${date} UTC, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after\n`);
  console.log('| command | how | runs | median ms | p95 ms |');
  console.log('|---|---|---|---|---|');
  const medians = new Map<string, number>();
  for (const subject of subjects) {
    const samples = times.get(subject)!;
    const median = quantile(samples, 0.5);
    medians.set(`${subject.command}|${subject.name}`, median);
    console.log(`| ${subject.command} | ${subject.name} | ${samples.length} | ${format(median)} | ${format(quantile(samples, 0.95))} |`);
  }
  console.log('');
  let missed = false;
  for (const { command } of commands) {
    const now = medians.get(`${command}|now, node`)!;
    const viaNpm = medians.get(`${command}|now, npm`)!;
    const eager = medians.get(`${command}|eager, node`)!;
    const eagerCli = medians.get(`${command}|eager, tsx CLI`)!;
    console.log(`${command}: eager/now ${(eager / now).toFixed(1)}× with node --import tsx, ${(eagerCli / now).toFixed(1)}× against the old tsx CLI path; via npm ${format(viaNpm)} ms (target < ${TARGET_MILLISECONDS} ms: ${viaNpm < TARGET_MILLISECONDS ? 'met' : 'MISSED'})`);
    if (viaNpm >= TARGET_MILLISECONDS || now >= TARGET_MILLISECONDS) missed = true;
  }

  console.log('\n| import | runs | median ms | ms above the empty start-up (node, or node with tsx) |');
  console.log('|---|---|---|---|');
  const emptyNode = quantile(packageTimes.get(packageSubjects[0]!)!, 0.5);
  const emptyTsx = quantile(packageTimes.get(packageSubjects[1]!)!, 0.5);
  for (const subject of packageSubjects) {
    const median = quantile(packageTimes.get(subject)!, 0.5);
    const above = subject === packageSubjects[0] ? '' : format(median - (subject.args[0] === '--import' && subject !== packageSubjects[1] ? emptyTsx : emptyNode));
    console.log(`| ${subject.command} | ${packageTimes.get(subject)!.length} | ${format(median)} | ${above} |`);
  }
  if (missed) process.exitCode = 1;
} finally {
  rmSync(directory, { recursive: true, force: true });
}
