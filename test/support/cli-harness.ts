import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { runCli, type CliContext } from '../../src/cli.js';

/** A fixed clock: commands that default to "now" must not depend on when the test runs. */
export const NOW = Date.parse('2026-11-25T12:00:00Z');
/** How Node prints a stack frame; a user's mistake must never show one. */
export const STACK_FRAME = '    at ';

/** Collects everything written to it as text. */
export class TextCollector extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Harness {
  context: CliContext;
  stdout: TextCollector;
  stderr: TextCollector;
  /** Plays the part of SIGTERM for `aiops start`. */
  stop: (signal: string) => void;
}

export function createHarness(environment: Record<string, string | undefined> = {}): Harness {
  const stdout = new TextCollector();
  const stderr = new TextCollector();
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  return {
    context: { stdout, stderr, environment, now: () => NOW, stopSignal: () => stopped, stdoutIsTerminal: false },
    stdout,
    stderr,
    stop,
  };
}

export async function run(argv: string[], environment: Record<string, string | undefined> = {}): Promise<Run> {
  const harness = createHarness(environment);
  const exitCode = await runCli(argv, harness.context);
  return { exitCode, stdout: harness.stdout.text, stderr: harness.stderr.text };
}

/** A user mistake: exit 2, nothing on stdout, exactly this one line on stderr, no stack trace. */
export function expectUserError(result: Run, expectedLine: string | RegExp): void {
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toContain(STACK_FRAME);
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.split('\n')).toHaveLength(2);
  const line = result.stderr.slice(0, -1);
  if (typeof expectedLine === 'string') expect(line).toBe(expectedLine);
  else expect(line).toMatch(expectedLine);
}

