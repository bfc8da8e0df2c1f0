import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, run } from '../support/cli-harness.js';

const directory = mkdtempSync(join(tmpdir(), 'aiops-rca-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const START = 1_700_000_000;

/**
 * A case folder: 120 normal seconds, then 60 anomalous ones in which `culprit`'s cpu jumps and
 * carts' latency rises 10 s later. truth.json is written unparsable: the command must never read it.
 */
function writeCase(path: string, culprit = 'payment'): string {
  mkdirSync(path, { recursive: true });
  const columns = ['carts_cpu', 'payment_cpu', 'user_cpu', 'carts_lat_90'];
  const rows = [`time,${columns.join(',')}`];
  for (let second = -120; second < 60; second += 1) {
    const wiggle = (seed: number): number => 0.02 * Math.sin(second * 1.7 + seed);
    const cpu = (service: string, seed: number): number => 0.3 + wiggle(seed) + (service === culprit && second >= 0 ? 0.6 : 0);
    const latency = 100 + 5 * Math.sin(second * 0.9) + (second >= 10 ? 150 : 0);
    rows.push(`${START + second},${cpu('carts', 1).toFixed(4)},${cpu('payment', 2).toFixed(4)},${second === 5 ? '' : cpu('user', 3).toFixed(4)},${latency.toFixed(1)}`);
  }
  writeFileSync(join(path, 'metrics.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(path, 'case.json'), JSON.stringify({ anomaly_start: START, anomaly_end: START + 59 }));
  writeFileSync(join(path, 'truth.json'), 'not json: never read');
  return path;
}

describe('aiops rca', () => {
  it('prints the ranking of a case folder, best first', async () => {
    const casePath = writeCase(join(directory, 'single'));
    const result = await run(['rca', '--case', casePath]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout) as { ranking: Array<{ service: string; score: number; evidence: Array<{ summary: string }> }> };
    expect(output.ranking.map((cause) => cause.service)).toEqual(['payment', 'carts', 'user']);
    expect(output.ranking[0]!.evidence[0]!.summary).toMatch(/^cpu 0\.9\d* \(normally 0\.3\d*\), far above normal, from 22:13:20 UTC$/);
    for (const cause of output.ranking) expect(Number.isFinite(cause.score)).toBe(true);
  });

  it('walks --cases for case folders and mirrors their tree under --output', async () => {
    const root = join(directory, 'set');
    writeCase(join(root, 'payment-cpu-1'), 'payment');
    writeCase(join(root, 'nested', 'user-cpu-1'), 'user');
    mkdirSync(join(root, 'not-a-case'), { recursive: true });
    const output = join(directory, 'rankings');
    const result = await run(['rca', '--cases', root, '--output', output]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(`ranked 2 cases into ${output}\n`);
    const first = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { ranking: Array<{ service: string }> }).ranking[0]!.service;
    expect(first(join(output, 'payment-cpu-1.json'))).toBe('payment');
    expect(first(join(output, 'nested', 'user-cpu-1.json'))).toBe('user');
  });

  it('takes rows after anomaly_end as fault-free reference data', async () => {
    const casePath = join(directory, 'reference-after');
    mkdirSync(casePath, { recursive: true });
    const rows = ['time,orders_cpu,carts_cpu'];
    for (let second = 0; second < 180; second += 1) rows.push(`${START + second},${(0.3 + 0.02 * Math.sin(second) + (second < 60 ? 0.6 : 0)).toFixed(4)},${(0.3 + 0.02 * Math.cos(second)).toFixed(4)}`);
    writeFileSync(join(casePath, 'metrics.csv'), `${rows.join('\n')}\n`);
    writeFileSync(join(casePath, 'case.json'), JSON.stringify({ anomaly_start: START, anomaly_end: START + 59 }));
    const result = await run(['rca', '--case', casePath]);
    expect(result.exitCode).toBe(0);
    expect((JSON.parse(result.stdout) as { ranking: Array<{ service: string }> }).ranking.map((cause) => cause.service)).toEqual(['orders', 'carts']);
  });

  it('refuses a case without metrics.csv in one line naming the file', async () => {
    const casePath = writeCase(join(directory, 'no-metrics'));
    rmSync(join(casePath, 'metrics.csv'));
    expectUserError(await run(['rca', '--case', casePath]), `aiops: ${join(casePath, 'metrics.csv')}: cannot be read; a case folder holds metrics.csv and case.json`);
  });

  it('refuses a malformed case.json in one line naming the file', async () => {
    const casePath = writeCase(join(directory, 'bad-case'));
    const caseJson = join(casePath, 'case.json');
    writeFileSync(caseJson, '{"anomaly_start": ');
    expectUserError(await run(['rca', '--case', casePath]), `aiops: ${caseJson}: is not valid JSON`);
    writeFileSync(caseJson, '{"anomaly_end": 1700000059}');
    expectUserError(await run(['rca', '--case', casePath]), `aiops: ${caseJson}: anomaly_start: expected epoch seconds (a number), got nothing`);
    // In --cases mode too: the run stops at the bad case and names its file.
    expectUserError(await run(['rca', '--cases', casePath, '--output', join(directory, 'unused')]), new RegExp(`^aiops: ${caseJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('refuses a metrics.csv with a bad header or a non-numeric time, naming the file and line', async () => {
    const casePath = writeCase(join(directory, 'bad-metrics'));
    const metrics = join(casePath, 'metrics.csv');
    writeFileSync(metrics, 'timestamp,carts_cpu\n1700000000,1\n');
    expectUserError(await run(['rca', '--case', casePath]), `aiops: ${metrics}:1: expected the header "time,<service>_<metric>,...", got "timestamp,carts_cpu"`);
    writeFileSync(metrics, 'time,carts_cpu\n1700000000,1\nnoon,2\n');
    expectUserError(await run(['rca', '--case', casePath]), `aiops: ${metrics}:3: time: expected integer epoch seconds, got "noon"`);
  });

  it('prints --help and refuses missing or conflicting flags', async () => {
    const help = await run(['rca', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^usage: aiops rca --case DIR\n {7}aiops rca --cases DIR --output DIR\n/);
    expectUserError(await run(['rca']), 'aiops: rca: required: --case DIR, or --cases DIR with --output DIR');
    expectUserError(await run(['rca', '--cases', directory]), 'aiops: --output: required with --cases: where the rankings go');
    expectUserError(await run(['rca', '--case', join(directory, 'missing')]), `aiops: --case: ${join(directory, 'missing')} is not a folder`);
  });
});
