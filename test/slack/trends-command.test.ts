import { beforeAll, describe, expect, it } from 'vitest';
import type { GroupDirectory } from '../../src/access/group-directory.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { silentLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import type { MetricsSource } from '../../src/sources/metrics.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { EXAMPLE_USER_GROUPS } from '../fakes/slack.js';
import { slashCommand, type SlashCommand } from '../support/slash-command.js';

/**
 * `/aiops trends` through the command listener as Bolt calls it, six hours into the memory leak
 * (cart, of team web), with the example catalogue's teams: U0BOB is in web, U0CAROL in payments,
 * U0NOBODY in no team and no channel.
 */

const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
let say: SlashCommand;
/** The services whose metrics the command read: only those the asker sees. */
const read = new Set<string>();

beforeAll(() => {
  const clock = new ManualClock(FAULT_START + 6 * 3_600_000);
  const sources = createSimulatedSources(catalogue, { clock, seed: 5, scenario: 'memory-leak', faultStart: FAULT_START });
  const metrics = Object.create(sources.metrics) as MetricsSource;
  metrics.range = (service, signal, range) => {
    read.add(service);
    return sources.metrics.range(service, signal, range);
  };
  const groups: GroupDirectory = { members: async (group) => new Set(EXAMPLE_USER_GROUPS[group] ?? []) };
  const services = {
    catalogue,
    investigation: { answers: { catalogue, metrics, cluster: sources.cluster, now: () => clock.now() } },
    groups,
    channels: { isMember: async () => false },
    now: () => clock.now(),
    pacer: new ChannelPacer(),
    logger: silentLogger(),
  } as unknown as SlackServices;
  say = slashCommand(services);
});

/** `/aiops <text>`, counting only the metrics this command reads. */
async function aiops(text: string, user: string): Promise<string> {
  read.clear();
  return say(text, user);
}

const webServices = Object.values(catalogue.services).filter((service) => service.team === 'web').map((service) => service.name);

describe('/aiops trends', () => {
  it("shows a team member the trends of their team's services, reading no others", async () => {
    const bob = await aiops('trends', 'U0BOB');
    expect(bob.split('\n').slice(0, 2)).toEqual([`Sustained changes in ${webServices.length} services:`, expect.stringMatching(/^cart memory \+\d+% since deploy of 3\.2\.0 \(\d+ MiB → \d+ MiB, sustained 6\/6 h\)$/)]);
    expect([...read].sort()).toEqual([...webServices].sort());
  });

  it("refuses a service that is not the asker's, without saying how it is, and reads nothing", async () => {
    expect(await aiops('trends cart', 'U0CAROL')).toMatch(/^cart is not a service of your teams or of a channel you are in/);
    expect(read.size).toBe(0);
    const carol = await aiops('trends', 'U0CAROL');
    expect(carol).toMatch(/^No sustained change in 2 services: compared week over week/);
    expect(carol).not.toContain('cart');
    expect([...read].sort()).toEqual(['checkout', 'payment']);
  });

  it('tells someone who sees no service so, and explains a mistyped service', async () => {
    expect(await aiops('trends', 'U0NOBODY')).toMatch(/^No catalogued service is of your teams or of a channel you are in/);
    expect(await aiops('trends billing', 'U0BOB')).toMatch(/^Unknown service `billing`; catalogued services: /);
  });
});
