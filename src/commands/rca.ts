import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { inputError, unexpectedArgument } from '../errors.js';
import { rankRootCauses } from '../rca/rank-root-causes.js';
import type { RootCauseRanking } from '../rca/root-cause-input.js';
import type { CommandIo } from './command-io.js';
import { readRcaCase } from './rca-case.js';

export const RCA_HELP = `usage: aiops rca --case DIR
       aiops rca --cases DIR --output DIR

Ranks the services of an incident by how likely each is its root cause. A case folder holds
metrics.csv (time,<service>_<metric>,... with time in epoch seconds) and case.json (anomaly_start,
anomaly_end in epoch seconds, optional graph [[caller, callee], ...] and target). Rows from
anomaly_start to anomaly_end are the anomalous window; every other row is the normal period.
truth.json, when present, is never read.

--case prints {"ranking":[{"service":...,"score":...,"evidence":[...]}]} best first. --cases walks
DIR for case folders (folders holding case.json) and writes <output>/<case path>.json for each.`;

export async function rcaCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { case: { type: 'string' }, cases: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(`${RCA_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw unexpectedArgument('rca', positionals[0]!, '--case');
  if (values.case !== undefined && values.cases !== undefined) throw inputError('rca', 'give --case DIR or --cases DIR, not both');
  if (values.case !== undefined) {
    if (values.output !== undefined) throw inputError('--output', 'only with --cases; --case prints to stdout');
    io.stdout.write(`${JSON.stringify(await rankCase(values.case))}\n`);
    return 0;
  }
  if (values.cases === undefined) throw inputError('rca', 'required: --case DIR, or --cases DIR with --output DIR');
  if (values.output === undefined) throw inputError('--output', 'required with --cases: where the rankings go');
  const folders = await caseFolders(values.cases);
  for (const folder of folders) {
    const name = relative(values.cases, folder) || basename(folder);
    const outputPath = join(values.output, `${name}.json`);
    const ranking = await rankCase(folder);
    await mkdir(dirname(outputPath), { recursive: true });
    await writeFile(outputPath, `${JSON.stringify(ranking)}\n`);
  }
  io.stderr.write(`ranked ${folders.length} cases into ${values.output}\n`);
  return 0;
}

async function rankCase(directory: string): Promise<RootCauseRanking> {
  const folder = await stat(directory).catch(() => undefined);
  if (!folder?.isDirectory()) throw inputError('--case', `${directory} is not a folder`);
  return rankRootCauses(await readRcaCase(directory));
}

/** Every folder under (or at) directory that holds a case.json, in a stable order. */
async function caseFolders(directory: string): Promise<string[]> {
  const root = await stat(directory).catch(() => undefined);
  if (!root?.isDirectory()) throw inputError('--cases', `${directory} is not a folder`);
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  const folders = entries.filter((entry) => entry.isFile() && entry.name === 'case.json').map((entry) => entry.parentPath);
  if (folders.length === 0) throw inputError('--cases', `${directory} holds no case folders (folders with case.json)`);
  return folders.sort();
}
