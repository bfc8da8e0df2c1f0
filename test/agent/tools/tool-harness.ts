import { randomUUID } from 'node:crypto';
import { createTools, type ToolDependencies } from '../../../src/agent/tools/create-tools.js';
import type { AgentTool, ToolResult } from '../../../src/agent/tool.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../../src/catalogue.js';
import { ManualClock } from '../../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../../src/sources/sim/simulated-world.js';
import { ActionProposals } from '../../../src/state/action-proposals.js';
import { AnomalyLog } from '../../../src/state/anomaly-log.js';
import { LogFindingLog } from '../../../src/state/log-finding-log.js';
import { MinedLogs } from '../../../src/state/mined-logs.js';
import { testRedis } from '../../support/test-redis.js';

export const MINUTE = 60_000;
/** A fixed instant, so the world and its noise are the same on every run. */
export const NOW = Date.UTC(2026, 10, 24, 19, 0, 0);
export const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
export const { url: REDIS_URL, redis } = await testRedis();

const prefixes: string[] = [];

/** Deletes every key the harnesses made; call from afterEach. */
export async function cleanUp(): Promise<void> {
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
}

export interface HarnessOptions {
  scenario?: string;
  /** Minutes since the fault started (default 20). */
  faultMinutesAgo?: number;
  overrides?: Partial<ToolDependencies>;
}

/** The simulated world with its fault some minutes old, real Redis under a fresh prefix, and every tool. */
export function harness(options: HarnessOptions = {}) {
  const clock = new ManualClock(NOW);
  const sources = createSimulatedSources(catalogue, { clock, seed: 7, scenario: options.scenario, faultStart: NOW - (options.faultMinutesAgo ?? 20) * MINUTE });
  const prefix = `test:agent-tools:${randomUUID()}:`;
  prefixes.push(prefix);
  const anomalies = new AnomalyLog(redis, prefix);
  const dependencies: ToolDependencies = {
    catalogue,
    metrics: sources.metrics,
    logs: sources.logs,
    traces: sources.traces,
    cluster: sources.cluster,
    anomalies,
    logFindings: new LogFindingLog(redis, prefix),
    minedLogs: new MinedLogs(redis, prefix),
    proposals: new ActionProposals(redis, prefix),
    rankRootCauses: async () => ({ ranking: [] }),
    now: () => clock.now(),
    ...options.overrides,
  };
  const tools = createTools(dependencies);
  /** Calls a tool the way the agent loop does: arguments parsed by its schema first. */
  const call = (name: string, input: Record<string, unknown> = {}): Promise<ToolResult> => {
    const tool = tools.find((candidate) => candidate.name === name) as AgentTool | undefined;
    if (!tool) throw new Error(`no tool ${name}`);
    return tool.run(tool.schema.parse(input), { signal: new AbortController().signal });
  };
  return { clock, prefix, dependencies, anomalies, tools, call, ...sources };
}
