/**
 * What an alert's fingerprint costs as its labels grow: `labelsFingerprint` (the one the webhook
 * computes for an alert delivered without a fingerprint it can trust) on labels holding 200 KB and 2 MB of
 * text, beside node:crypto's SHA-256 of the same 2 MB, in this process and one run. The Alertmanager
 * webhook takes bodies up to 32 MiB, so a label this large is what a careless or hostile sender can do.
 * Each figure is the fastest of `--runs` (the least disturbed by whatever else the machine runs).
 *
 *   npm run -s bench:fingerprint [-- --runs 30]
 *
 * Targets: linear in the bytes (ten times the text costs under 20 times as much; quadratic work
 * would cost a hundred) and within 15 times a SHA-256 of the same bytes (a BigInt per byte, the straightforward way, was over a hundred times). Exits 1 when either is missed.
 */
import { createHash } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { labelsFingerprint } from '../src/alerts/fingerprint.js';

const LINEAR_BOUND = 20;
const SHA256_BOUND = 15;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('bench:fingerprint: --runs: expected a whole number of at least 1');
  process.exit(2);
}

const labels = (size: number) => ({ alertname: 'KubeConfigMapHuge', namespace: 'shop', payload: 'x'.repeat(size) });

function fastest(work: () => unknown): number {
  work(); // compiled before it is timed
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const small = labels(200_000);
const large = labels(2_000_000);
const smallMilliseconds = fastest(() => labelsFingerprint(small));
const largeMilliseconds = fastest(() => labelsFingerprint(large));
const sha256Milliseconds = fastest(() => createHash('sha256').update(large.payload).digest());
const linear = largeMilliseconds / smallMilliseconds;
const againstSha256 = largeMilliseconds / sha256Milliseconds;

console.log(`bench:fingerprint, ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; fastest of ${runs} runs`);
console.log('');
console.log('| labels | labelsFingerprint, ms | SHA-256 of the same text, ms |');
console.log('|---|---:|---:|');
console.log(`| 200 KB | ${smallMilliseconds.toFixed(3)} | |`);
console.log(`| 2 MB | ${largeMilliseconds.toFixed(3)} | ${sha256Milliseconds.toFixed(3)} |`);
console.log('');
console.log(`2 MB against 200 KB: ${linear.toFixed(1)}× (target under ${LINEAR_BOUND}×: linear); against SHA-256: ${againstSha256.toFixed(1)}× (target under ${SHA256_BOUND}×)`);
if (!(linear < LINEAR_BOUND && againstSha256 < SHA256_BOUND)) process.exit(1);
