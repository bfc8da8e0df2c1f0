import type { Config } from '../config.js';
import type { Sources } from '../sources/create-sources.js';
import type { State } from '../state/state.js';
import type { Roles } from './start.js';

export interface ProcessStatusInput {
  config: Readonly<Config>;
  roles: Roles;
  /** When the process started, wall-clock ms. */
  startedAt: number;
  sources: Sources;
  state: Pick<State, 'connectionStatus'>;
  /** Whether this process talks to Slack (the bot role with Slack configured). */
  slackInThisRole: boolean;
}

/** What /healthz reports besides `status: ok`: the roles and queues worked on, the address listened on, the sources, Redis, Slack, and where the simulated world stands. */
export function processStatus({ config, roles, startedAt, sources, state, slackInThisRole }: ProcessStatusInput): Record<string, unknown> {
  const world = sources.world;
  return {
    roles,
    ...(roles.work ? { queues: config.workers.queues } : {}),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    bindAddress: config.bindAddress,
    services: Object.keys(config.catalogue.services).length,
    sources: { metrics: sources.metrics.kind, logs: sources.logs.kind, cluster: sources.cluster.kind },
    redis: state.connectionStatus(),
    slack: config.slack ? (slackInThisRole ? config.slack.mode : 'not in this role') : 'not configured',
    ...(world ? { simulation: { time: new Date(world.clock.now()).toISOString(), scenario: world.scenario?.name, faultActive: world.faultActiveAt(world.clock.now()) } } : {}),
  };
}
