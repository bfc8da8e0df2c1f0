import { beforeAll, describe, expect, it } from 'vitest';
import type { GroupDirectory } from '../../src/access/group-directory.js';
import { EXAMPLE_CATALOGUE_PATH, loadCatalogue } from '../../src/catalogue.js';
import { silentLogger } from '../../src/logger.js';
import { ChannelPacer } from '../../src/slack/channel-pacer.js';
import type { SlackServices } from '../../src/slack/slack-services.js';
import type { Cluster } from '../../src/sources/cluster.js';
import { ManualClock } from '../../src/sources/sim/clock.js';
import { createSimulatedSources } from '../../src/sources/sim/simulated-world.js';
import { EXAMPLE_USER_GROUPS } from '../fakes/slack.js';
import { slashCommand, type SlashCommand } from '../support/slash-command.js';

/**
 * `/aiops changes` through the command listener as Bolt calls it, two hours after the simulated
 * bad deploy of payment (team payments), with the example catalogue's teams: U0CAROL is in
 * payments, U0BOB in web, U0NOBODY in no team and no channel, U0SRE a responder.
 */

const FAULT_START = Date.UTC(2026, 10, 24, 19, 0, 0);
const catalogue = loadCatalogue(EXAMPLE_CATALOGUE_PATH);
let aiops: SlashCommand;
/** The same, with a cluster API that refuses every read of payment. */
let aiopsWithoutPayment: SlashCommand;

beforeAll(() => {
  const clock = new ManualClock(FAULT_START + 2 * 3_600_000);
  const sources = createSimulatedSources(catalogue, { clock, seed: 5, scenario: 'bad-deploy', faultStart: FAULT_START });
  const groups: GroupDirectory = { members: async (group) => new Set(EXAMPLE_USER_GROUPS[group] ?? []) };
  const withCluster = (cluster: Cluster) =>
    slashCommand({
      catalogue,
      investigation: { answers: { catalogue, metrics: sources.metrics, cluster, now: () => clock.now() } },
      groups,
      channels: { isMember: async () => false },
      now: () => clock.now(),
      pacer: new ChannelPacer(),
      logger: silentLogger(),
    } as unknown as SlackServices);
  aiops = withCluster(sources.cluster);
  const failing = Object.create(sources.cluster) as Cluster;
  failing.getDeployment = (namespace, name) => (name === 'payment' ? Promise.reject(new Error('connect ECONNREFUSED 10.96.0.1:443')) : sources.cluster.getDeployment(namespace, name));
  aiopsWithoutPayment = withCluster(failing);
});

describe('/aiops changes', () => {
  it("lists the deploy of the asker's service over the window asked, and nothing before the window", async () => {
    const lastThreeHours = await aiops('changes payment 3h', 'U0CAROL');
    expect(lastThreeHours).toMatch(/^1 deploy on payment in the last 3 hours/);
    expect(lastThreeHours).toContain('2.4.0 → 2.5.0');
    expect(await aiops('changes payment 1h', 'U0CAROL')).toMatch(/^No deploys, rollbacks, restarts, scaling or configuration changes on payment in the last hour/);
  });

  it("reads only the services the asker sees when none is named, and refuses another team's without saying how it is", async () => {
    const carol = await aiops('changes 3h', 'U0CAROL');
    expect(carol).toMatch(/^1 deploy on checkout, payment in the last 3 hours/);
    const bob = await aiops('changes payment', 'U0BOB');
    expect(bob).toMatch(/^payment is not a service of your teams or of a channel you are in/);
    expect(bob).not.toContain('2.5.0');
    expect(await aiops('changes 3h', 'U0BOB')).not.toContain('payment');
    expect(await aiops('changes 3h', 'U0SRE')).toMatch(/^1 deploy anywhere in the estate in the last 3 hours/);
    expect(await aiops('changes', 'U0NOBODY')).toMatch(/^No catalogued service is of your teams or of a channel you are in/);
  });

  it('says which services it could not read, rather than passing a list with holes for "nothing changed"', async () => {
    const told = await aiopsWithoutPayment('changes payment 3h', 'U0CAROL');
    expect(told).toMatch(/^No deploys, rollbacks, restarts, scaling or configuration changes on payment in the last 3 hours/);
    expect(told).toContain('Could not read the cluster for payment (connect ECONNREFUSED 10.96.0.1:443)');
    expect(await aiops('changes payment 3h', 'U0CAROL')).not.toContain('Could not read');
  });

  it('answers a mistake with the usage, naming what was wrong', async () => {
    expect(await aiops('changes payment 30d', 'U0CAROL')).toMatch(/^The window must be from 1 minute to 7 days; `30d` is not\./);
    expect(await aiops('changes paymnet', 'U0CAROL')).toMatch(/^Unknown service `paymnet`; did you mean `payment`\? .*`changes` takes an optional service and an optional window/);
    expect(await aiops('changes payment cart', 'U0CAROL')).toMatch(/^`changes` takes an optional service and an optional window, e\.g\. `\/aiops changes payment 24h`\./);
  });
});
