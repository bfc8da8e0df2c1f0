import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EVERYTHING, type Visibility } from '../../src/access/visibility.js';
import type { AgentTool } from '../../src/agent/tool.js';
import { createTools } from '../../src/agent/tools/create-tools.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { Incidents } from '../../src/incidents/incidents.js';
import { investigate, type InvestigationDependencies } from '../../src/investigation/investigate.js';
import { liveRootCauses } from '../../src/investigation/live-root-causes.js';
import { scopedInvestigation } from '../../src/investigation/scoped-investigation.js';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { createStores } from '../../src/state/stores.js';
import { managerAlert } from '../alerts/builders.js';
import { testRedis } from '../support/test-redis.js';

/**
 * Answers read only what the asker may see (issue 14, finding 5): the simulated shop with payment
 * broken by a bad deploy, asked about by someone in web (frontend, cart, catalogue) and by a responder.
 */

const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
const { redis } = await testRedis();
const prefix = `test:scoped:${randomUUID()}:`;
const NOW = Date.UTC(2026, 10, 24, 15, 20);
const clock = new ManualClock(NOW);
const stores = createStores(redis, prefix, { catalogue });

afterAll(async () => {
  await stores.incidents.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const web = new Set(Object.values(catalogue.services).filter((service) => service.team === 'web').map((service) => service.name));
const webMember: Visibility = { everything: false, services: web, channels: new Set(['#shop-web']) };

function dependencies(): InvestigationDependencies {
  const { cluster, metrics, logs } = createSimulatedSources(catalogue, { clock, seed: 7, scenario: 'bad-deploy', faultStart: NOW - 20 * 60_000 });
  const answers = { catalogue, cluster, metrics, logs, anomalies: stores.anomalies, now: () => clock.now() };
  const toolDependencies = { catalogue, metrics, logs, cluster, anomalies: stores.anomalies, incidents: stores.incidents, logFindings: stores.logFindings, minedLogs: stores.minedLogs, proposals: stores.proposals, rankRootCauses: liveRootCauses(answers), now: () => clock.now() };
  // The model is never called here: only the tools are.
  const agent = { model: undefined as never, tools: createTools(toolDependencies), proposals: stores.proposals, toolDependencies };
  return { answers, agent, logger: silentLogger() };
}

describe('scopedInvestigation, without an LLM', () => {
  const engine = () => ({ ...dependencies(), agent: undefined });

  it('names payment as the cause for a responder (the control)', async () => {
    const answer = await investigate('why is payment failing?', [], scopedInvestigation(engine(), EVERYTHING));
    expect(answer.suspect).toBe('payment');
  });

  it('tells someone in web nothing about payment: not its cause, its deploy or its logs', async () => {
    const answer = await investigate('why is payment failing?', [], scopedInvestigation(engine(), webMember));
    expect(answer.suspect).toBeUndefined();
    expect(answer.services).not.toContain('payment');
    const shown = JSON.stringify(answer);
    expect(shown).not.toContain('2.5.0');
    expect(shown).not.toContain('NullPointerException');
  });
});

describe("scopedInvestigation, the agent's tools", () => {
  it('refuse the services the asker does not see, list only their incidents, and offer no free PromQL', async () => {
    const incidents = new Incidents({ stores, catalogue, now: () => clock.now(), logger: silentLogger() });
    const alertOn = (service: string, name: string) => managerAlert({ fingerprint: `${service}-${name}`, name, status: 'firing', startsAt: NOW, receivedAt: NOW, severity: 'critical', service, summary: `${name} on ${service}`, labels: { alertname: name, service } });
    await incidents.intake([alertOn('payment', 'PaymentDown'), alertOn('frontend', 'FrontendErrors')], NOW);

    const full = dependencies();
    const scoped = scopedInvestigation(full, webMember);
    const run = async (tools: readonly AgentTool[], name: string, input: Record<string, unknown>) => {
      const tool = tools.find((candidate) => candidate.name === name)!;
      return tool.run(tool.schema.parse(input), { signal: new AbortController().signal });
    };
    expect(full.agent!.tools.map((tool) => tool.name)).toContain('promql_query');
    expect(scoped.agent!.tools.map((tool) => tool.name)).not.toContain('promql_query');

    const everyIncident = await run(full.agent!.tools, 'list_incidents', {});
    expect(everyIncident.output).toContain('PaymentDown');
    const theirs = await run(scoped.agent!.tools, 'list_incidents', {});
    expect(theirs.output).toContain('FrontendErrors');
    expect(theirs.output).not.toContain('PaymentDown');

    expect((await run(full.agent!.tools, 'search_logs', { service: 'payment', words: 'error' })).status).not.toBe('error');
    const refused = await run(scoped.agent!.tools, 'search_logs', { service: 'payment', words: 'error' });
    expect(refused).toMatchObject({ status: 'error' });
    expect(refused.output).toMatch(/^Unknown service "payment"/);
  });
});
