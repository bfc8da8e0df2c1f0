import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { inputError } from '../errors.js';
import { ManualClock } from '../sources/sim/clock.js';
import { writeOpenMetrics } from '../sources/sim/openmetrics.js';
import { SCENARIOS } from '../sources/sim/scenarios.js';
import { SimWorld, tickOf } from '../sources/sim/world.js';
import { integerOption, timeOption, type CommandIo } from './command-io.js';

export const SIM_HELP = `usage: aiops sim list
       aiops sim export --openmetrics [--hours N] [--end TIME] [--scenario NAME]
                        [--fault-minutes-ago M] [--seed N] [--output FILE]

list      one scenario a line: its name, then what it does, its root cause and its fix
export    the simulated world's metric history as OpenMetrics text, ready for
          promtool tsdb create-blocks-from openmetrics FILE DATA_DIR
  --hours N              history length, 1 to 336 (default 6)
  --end TIME             ISO time of the last sample (default now)
  --scenario NAME        play a fault scenario (default: a healthy estate)
  --fault-minutes-ago M  the fault starts M minutes before --end (default 60)
  --seed N               the world's seed (default 42)
  --output FILE          write to FILE instead of standard output`;

export async function simCommand(argv: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === 'list') {
    if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout.write(`${SIM_HELP}\n`);
      return 0;
    }
    if (rest.length > 0) throw inputError('sim list', `takes no arguments, got "${rest.join(' ')}"`);
    for (const scenario of SCENARIOS) {
      io.stdout.write(`${scenario.name.padEnd(20)} ${scenario.description} (root cause: ${scenario.rootCause}; fix: ${scenario.remedy})\n`);
    }
    return 0;
  }
  if (subcommand === 'export') return exportCommand(rest, io);
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout.write(`${SIM_HELP}\n`);
    return subcommand === undefined ? 2 : 0;
  }
  throw inputError('sim', `unknown subcommand "${subcommand}"; expected list or export`);
}

async function exportCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      openmetrics: { type: 'boolean' },
      hours: { type: 'string' },
      end: { type: 'string' },
      scenario: { type: 'string' },
      'fault-minutes-ago': { type: 'string' },
      seed: { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout.write(`${SIM_HELP}\n`);
    return 0;
  }
  if (!values.openmetrics) throw inputError('--openmetrics', 'required: OpenMetrics is the export format');
  const hours = integerOption('--hours', values.hours, { minimum: 1, maximum: 336, fallback: 6 });
  const end = tickOf(timeOption('--end', values.end, io.now()));
  const faultMinutesAgo = integerOption('--fault-minutes-ago', values['fault-minutes-ago'], { minimum: 0, maximum: hours * 60, fallback: 60 });
  const seed = integerOption('--seed', values.seed, { minimum: 0, maximum: 2 ** 31, fallback: 42 });
  // Checked here so the message names the flag the user typed.
  if (values.scenario !== undefined && !SCENARIOS.some((scenario) => scenario.name === values.scenario)) {
    throw inputError('--scenario', `unknown scenario "${values.scenario}"; expected one of ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`);
  }
  const world = new SimWorld({ clock: new ManualClock(end), seed, scenario: values.scenario, faultStart: end - faultMinutesAgo * 60_000 });

  const output = values.output ? createWriteStream(values.output) : undefined;
  const write = (chunk: string): void => {
    if (output) output.write(chunk);
    else io.stdout.write(chunk);
  };
  writeOpenMetrics(world, { start: end - hours * 3_600_000, end }, write);
  if (output) {
    await new Promise<void>((resolve, reject) => {
      output.once('error', (error) => reject(inputError('--output', `cannot write ${values.output}: ${error.message}`)));
      // 'finish' only after a successful write; end()'s callback also runs on failure, which hid it.
      output.once('finish', () => resolve());
      output.end();
    });
  }
  return 0;
}
