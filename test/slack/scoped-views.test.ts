import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelDirectory } from '../../src/access/channel-directory.js';
import type { GroupDirectory } from '../../src/access/group-directory.js';
import { Incidents } from '../../src/incidents/incidents.js';
import { silentLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import { createStores, type Stores } from '../../src/state/stores.js';
import { MINUTE, T0, catalogue, managerAlert } from '../alerts/builders.js';
import { EXAMPLE_USER_GROUPS } from '../fakes/slack.js';
import { slashCommand, type SlashCommand } from '../support/slash-command.js';
import { testRedis } from '../support/test-redis.js';

/**
 * The list commands show what the asker may see (issue 14, finding 5), through the command
 * listener as Bolt calls it, with the example catalogue's teams: U0BOB is in web and also in
 * #shop-identity; U0SRE is a responder; U0NOBODY is in no team and no channel.
 */

const { redis } = await testRedis();
let prefix: string;
let stores: Stores;
let aiops: SlashCommand;
const now = T0 + 5 * MINUTE;

const groups: GroupDirectory = { members: async (group) => new Set(EXAMPLE_USER_GROUPS[group] ?? []) };
const channels: ChannelDirectory = { isMember: async (user, channel) => channel === '#shop-identity' && user === 'U0BOB' };

const alertOn = (service: string, name: string) =>
  managerAlert({ fingerprint: `${service}-${name}`, name, status: 'firing', startsAt: T0, receivedAt: T0, severity: 'critical', service, summary: `${name} on ${service}`, labels: { alertname: name, service, severity: 'critical' } });

beforeEach(async () => {
  prefix = `test:${randomUUID()}:`;
  stores = createStores(redis, prefix, { catalogue });
  const incidents = new Incidents({ stores, catalogue, now: () => now, logger: silentLogger() });
  // Three services that call none of each other: three incidents, one per team.
  await incidents.intake([alertOn('payment', 'PaymentDown'), alertOn('frontend', 'FrontendErrors'), alertOn('user', 'LoginFailures')], T0);
  const status = { catalogue, anomalies: stores.anomalies, audit: stores.audit, incidents: stores.incidents, now: () => now };
  const services = { catalogue, incidents, stores, status, now: () => now, groups, channels, pacer: new ChannelPacer(), logger: silentLogger() } as unknown as SlackServices;
  aiops = slashCommand(services);
});

afterEach(async () => {
  await stores.incidents.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  await redis.quit();
});

async function incidentOf(service: string): Promise<string> {
  const incident = (await stores.incidents.open()).find((candidate) => candidate.services.includes(service));
  return incident!.id;
}

describe('/aiops incidents', () => {
  it("shows a team member their team's incidents and those of channels they are in, and nothing else", async () => {
    const [payment, frontend, user] = await Promise.all([incidentOf('payment'), incidentOf('frontend'), incidentOf('user')]);
    const bob = await aiops('incidents', 'U0BOB');
    expect(bob).toContain(frontend);
    expect(bob).toContain(user);
    expect(bob).not.toContain(payment);
    expect(bob).not.toContain('PaymentDown');
  });

  it('shows a responder every incident, and someone in no team none', async () => {
    const ids = await Promise.all([incidentOf('payment'), incidentOf('frontend'), incidentOf('user')]);
    const responder = await aiops('incidents', 'U0SRE');
    for (const id of ids) expect(responder).toContain(id);
    const nobody = await aiops('incidents', 'U0NOBODY');
    for (const id of ids) expect(nobody).not.toContain(id);
  });
});

describe('/aiops status and /aiops logs', () => {
  it("refuse a service that is not the asker's, without saying how it is", async () => {
    expect(await aiops('status payment', 'U0BOB')).toMatch(/^payment is not a service of your teams or of a channel you are in/);
    expect(await aiops('logs payment 15m', 'U0BOB')).toMatch(/^payment is not a service of your teams or of a channel you are in/);
    expect(await aiops('status frontend', 'U0BOB')).toContain('frontend');
    expect(await aiops('status payment', 'U0SRE')).not.toMatch(/not a service of your teams/);
  });

  it('list only the services the asker sees', async () => {
    const bob = await aiops('status', 'U0BOB');
    expect(bob).toContain('frontend');
    expect(bob).toContain('user');
    expect(bob).not.toContain('payment');
  });
});

describe('/aiops capacity', () => {
  it('lists the capacity warnings of the services the asker sees only', async () => {
    const reaching = (service: string) => ({
      service, signal: 'memory' as const, generatedAt: now, horizonHours: 168, model: 'seasonal decomposition', backtestError: 1, current: 400, peak: 520, peakAt: now + 5 * 60 * MINUTE, average: 450,
      limit: 512, currentReplicas: 2, recommendedReplicas: 3, limitReachedAt: now + 5 * 60 * MINUTE, hourly: [],
    });
    await Promise.all([stores.forecasts.save(reaching('payment')), stores.forecasts.save(reaching('frontend'))]);
    const bob = await aiops('capacity', 'U0BOB');
    expect(bob).toMatch(/^Capacity within a week \(1\)/);
    expect(bob).toContain('frontend');
    expect(bob).not.toContain('payment');
    expect(await aiops('capacity', 'U0SRE')).toMatch(/^Capacity within a week \(2\)/);
  });
});

describe('/aiops audit', () => {
  it("shows what was done to the asker's services and incidents, and what they did themselves", async () => {
    await aiops('silence payment 1h card processor maintenance', 'U0CAROL');
    await aiops('silence frontend 1h CDN switch', 'U0BOB');
    const bob = await aiops('audit', 'U0BOB');
    expect(bob).toContain('CDN switch');
    expect(bob).not.toContain('card processor maintenance');
    expect(await aiops('audit', 'U0SRE')).toContain('card processor maintenance');
  });
});
