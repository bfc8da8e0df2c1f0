import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, run } from '../support/cli-harness.js';

const directory = mkdtempSync(join(tmpdir(), 'aiops-logs-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('aiops logs templates', () => {
  it('writes line,template_id,template for every line, to stdout or to --output', async () => {
    const input = join(directory, 'app.log');
    writeFileSync(input, 'Took 12ms to load 3 files\nconnection refused, retrying\nTook 40ms to load 9 files\n');
    const result = await run(['logs', 'templates', '--input', input]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('line,template_id,template\n1,T1,Took <*> to load <*> files\n2,T2,"connection refused, retrying"\n3,T1,Took <*> to load <*> files\n');
    const output = join(directory, 'app.csv');
    expect((await run(['logs', 'templates', '--input', input, '--output', output])).exitCode).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(result.stdout);
  });

  it('refuses an empty file in one line', async () => {
    const input = join(directory, 'empty.log');
    writeFileSync(input, '');
    expectUserError(await run(['logs', 'templates', '--input', input]), `aiops: --input: ${input} is empty`);
  });

  it('refuses a binary file in one line', async () => {
    const input = join(directory, 'binary.log');
    writeFileSync(input, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]));
    expectUserError(await run(['logs', 'templates', '--input', input]), `aiops: --input: ${input} looks binary (it holds NUL bytes); expected text, one log message per line`);
  });

  it('refuses a missing --input and an unknown subcommand, and prints --help', async () => {
    expectUserError(await run(['logs', 'templates']), 'aiops: --input: required: a file with one log message per line');
    expectUserError(await run(['logs', 'mine']), 'aiops: logs: unknown subcommand "mine"; expected templates');
    const help = await run(['logs', 'templates', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^usage: aiops logs templates --input FILE \[--output FILE\]\n/);
  });
});
