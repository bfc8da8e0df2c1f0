import { runCli } from './cli.js';

// `aiops sim export … | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
/** How long a stop may take once asked (workers finish the jobs in hand) before the process ends anyway; Docker waits 10 s. */
const STOP_DEADLINE_MILLISECONDS = 9_000;
/** How long the process may outlive its command: longer means something was left open, a bug, but never a hang. */
const EXIT_GRACE_MILLISECONDS = 3_000;

const stopListeners: Array<[NodeJS.Signals, () => void]> = [];

/**
 * The first SIGINT or SIGTERM asks the running bot to stop; repeats change nothing (`npm start`
 * may deliver Ctrl-C twice). Only `start`, `bot` and `worker` listen: any other command, and the
 * bot while it loads, are ended by a signal as usual.
 */
const stopSignal = (): Promise<string> =>
  new Promise((resolve) => {
    let stopping = false;
    for (const signal of STOP_SIGNALS) {
      const listener = () => {
        if (stopping) return;
        stopping = true;
        resolve(signal);
        setTimeout(() => {
          process.stderr.write(`aiops: still stopping ${STOP_DEADLINE_MILLISECONDS / 1000} s after ${signal}; exiting without waiting further\n`);
          process.exit(1);
        }, STOP_DEADLINE_MILLISECONDS).unref();
      };
      process.on(signal, listener);
      stopListeners.push([signal, listener]);
    }
  });

/** The process entry: wires the real streams, environment and signals to the command line. */
const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // eslint-disable-next-line no-restricted-properties -- handed to src/config.ts, the only reader
  environment: process.env,
  now: Date.now,
  stopSignal,
  stdoutIsTerminal: process.stdout.isTTY === true,
});
process.exitCode = exitCode;
// The command is over: signals end the process again, whatever is left.
for (const [signal, listener] of stopListeners) process.off(signal, listener);
// Everything a command opens it closes, so the process ends by itself; if not, it ends anyway and says so.
setTimeout(() => {
  process.stderr.write(`aiops: something was still open ${EXIT_GRACE_MILLISECONDS / 1000} s after the command ended; exiting (a bug: please report it)\n`);
  process.exit(exitCode);
}, EXIT_GRACE_MILLISECONDS).unref();
