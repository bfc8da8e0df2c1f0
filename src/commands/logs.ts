import { open, readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { inputError, unexpectedArgument } from '../errors.js';
import { TemplateMiner } from '../logs/template-miner.js';
import type { CommandIo } from './command-io.js';

export const LOGS_HELP = `usage: aiops logs templates --input FILE [--output FILE]

Mines log templates online, in one pass: every line of FILE is one log message; each gets the id
and the text of its template (variables written <*>). Writes CSV line,template_id,template (line
counts from 1) to --output, or to stdout without it. The template shown is the one the line joined
when it was read; ids stay stable as templates generalise.`;

export async function logsCommand(argv: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout.write(`${LOGS_HELP}\n`);
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== 'templates') throw inputError('logs', `unknown subcommand "${subcommand}"; expected templates`);
  const { values, positionals } = parseArgs({ args: rest, options: { input: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    io.stdout.write(`${LOGS_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw unexpectedArgument('logs templates', positionals[0]!, '--input');
  if (!values.input) throw inputError('--input', 'required: a file with one log message per line');
  const bytes = await readFile(values.input).catch(() => undefined);
  if (bytes === undefined) throw inputError('--input', `${values.input} cannot be read`);
  if (bytes.length === 0) throw inputError('--input', `${values.input} is empty`);
  if (bytes.includes(0)) throw inputError('--input', `${values.input} looks binary (it holds NUL bytes); expected text, one log message per line`);
  const messages = bytes.toString('utf8').split(/\r?\n/);
  if (messages[messages.length - 1] === '') messages.pop();
  const miner = new TemplateMiner();
  // Written in chunks as it goes: one string of every row would cost a second copy of the output and the collector's time.
  const output = values.output ? await open(values.output, 'w') : undefined;
  const write = async (text: string) => {
    if (output) await output.write(text);
    else if (!io.stdout.write(text)) await new Promise((resolve) => io.stdout.once('drain', resolve));
  };
  // Templates repeat: each one's CSV cell is made once.
  const cells = new Map<string, string>();
  let chunk = 'line,template_id,template\n';
  try {
    for (let index = 0; index < messages.length; index += 1) {
      const match = miner.add(messages[index]!);
      let cell = cells.get(match.template);
      if (cell === undefined) cells.set(match.template, (cell = csvCell(match.template)));
      chunk += `${index + 1},${match.templateId},${cell}\n`;
      if (chunk.length >= CHUNK_CHARACTERS) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  } finally {
    await output?.close();
  }
  return 0;
}

/** About a megabyte of output per write. */
const CHUNK_CHARACTERS = 1 << 20;

/** RFC 4180: a cell with a comma, a quote or a line break is quoted, quotes doubled. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
