import type { Config } from '../config.js';
import { startHealthServer } from '../http/health-server.js';
import type { Logger } from '../logger.js';
import { createSources } from '../sources/create-sources.js';

export interface StartOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** Resolves when the process should stop (SIGINT/SIGTERM in production, a promise in tests). */
  stopSignal: Promise<string>;
}

/** How often the simulated world reports where it stands, in real milliseconds. */
const HEARTBEAT_MILLISECONDS = 60_000;

/** The all-in-one process: sources, the HTTP endpoint, and (with later issues) Slack and the workers. */
export async function startCommand({ config, logger, stopSignal }: StartOptions): Promise<void> {
  const sources = createSources(config, logger.child({ component: 'sources' }));
  const services = Object.values(config.catalogue.services);
  const startedAt = Date.now();
  const world = sources.world;
  const server = await startHealthServer({
    port: config.port,
    status: () => ({
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      services: services.length,
      sources: { metrics: sources.metrics.kind, logs: sources.logs.kind, cluster: sources.cluster.kind },
      ...(world ? { simulation: { time: new Date(world.clock.now()).toISOString(), scenario: world.scenario?.name, faultActive: world.faultActiveAt(world.clock.now()) } } : {}),
    }),
  });

  logger.info(
    {
      services: services.map((service) => `${service.namespace}/${service.name}`),
      metrics: sources.metrics.kind,
      logs: sources.logs.kind,
      cluster: sources.cluster.kind,
      catalogue: config.cataloguePath,
      port: server.port,
    },
    `watching ${services.length} services; /healthz on port ${server.port}`,
  );
  if (world?.scenario) {
    logger.info(
      { scenario: world.scenario.name, rootCause: world.scenario.rootCause, faultStart: new Date(world.faultStart!).toISOString(), speed: config.simulationSpeed },
      `simulated world: scenario ${world.scenario.name} (${world.scenario.description})`,
    );
  }
  if (config.slack) logger.warn({ mode: config.slack.mode }, 'Slack settings found, but this build has no Slack surface yet: running without Slack');

  const heartbeat = world
    ? setInterval(() => {
        logger.info({ time: new Date(world.clock.now()).toISOString(), faultActive: world.faultActiveAt(world.clock.now()) }, 'simulated world running');
      }, HEARTBEAT_MILLISECONDS)
    : undefined;
  heartbeat?.unref();

  const signal = await stopSignal;
  logger.info({ signal }, 'stopping');
  if (heartbeat) clearInterval(heartbeat);
  await server.close();
  logger.info('stopped');
}
