import { runCli } from './cli.js';

// `aiops sim export … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/** The process entry: wires the real streams, environment and signals to the command line. */
const stopSignal = (): Promise<string> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // eslint-disable-next-line no-restricted-properties -- handed to src/config.ts, the only reader
  environment: process.env,
  now: Date.now,
  stopSignal,
  stdoutIsTerminal: process.stdout.isTTY === true,
});
