import { TemplateMiner, type MinerState } from '../logs/template-miner.js';
import type { LogMiningDependencies } from './mine-service-logs.js';

/** How the log-mining job builds its miners; one place, so that `aiops ask` and bench/logs-throughput.ts mine exactly as the bot does. */
export const LOG_MINERS: Pick<LogMiningDependencies, 'createMiner' | 'restoreMiner'> = {
  createMiner: () => new TemplateMiner(),
  restoreMiner: (state) => TemplateMiner.fromJSON(state as MinerState),
};
