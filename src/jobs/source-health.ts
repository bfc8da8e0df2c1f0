import { AiopsError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OutageWindow, SourceOutage, SourceOutages } from '../state/source-outages.js';
import type { PassSkipReason } from '../telemetry/metrics.js';

/** What a pass records of its source in this process's metrics (see Metrics). */
export interface SourceHealthMetrics {
  sourceUp(source: string, up: boolean): void;
  detectionPassSkipped(reason: PassSkipReason): void;
}

export interface SourceHealthOptions {
  /** The source watched, as it is named in metrics and in Redis (default `metrics`). */
  source?: string;
  /** The outage records every worker process shares. */
  outages: Pick<SourceOutages, 'down' | 'up'>;
  logger: Logger;
  /** aiops_source_up and aiops_detection_passes_skipped_total; none: not recorded. */
  metrics?: SourceHealthMetrics;
}

/** An outage of the source rather than a mistake: worth skipping a pass for, not failing it. */
export function isSourceOutage(error: unknown): error is AiopsError {
  return error instanceof AiopsError && (error.code === ErrorCode.SourceUnavailable || error.code === ErrorCode.SourceTimeout);
}

/**
 * How detection lives with a metrics source that does not answer (Prometheus down or unreachable).
 * A pass that cannot read it is skipped, not failed: the next pass catches up from the last sample
 * scored, so a retry would only repeat the error. The outage is reported once across every worker
 * process (the shared record in SourceOutages decides which pass reports it): one warning when it
 * starts, debug lines while it lasts, and one line with the gap when a pass reads the source again.
 * The outages that ended lately go back to every pass, which leaves the data they broke unscored.
 */
export class SourceHealth {
  readonly source: string;

  constructor(private readonly options: SourceHealthOptions) {
    this.source = options.source ?? 'metrics';
  }

  /**
   * A pass that started at `startedAt` could not read the source (`error`, an outage: see
   * isSourceOutage). The first such pass across every process warns; the others log at debug.
   */
  async unreachable(error: AiopsError, startedAt: number, service: string): Promise<void> {
    this.options.metrics?.sourceUp(this.source, false);
    this.options.metrics?.detectionPassSkipped('source_unavailable');
    const { logger } = this.options;
    const seen = await this.options.outages.down({ source: this.source, backend: error.backend, hint: error.hint, since: startedAt, error: error.message });
    const outage = seen.outage;
    if (seen.first && outage) {
      const backend = outage.backend ?? `the ${this.source} source`;
      logger.warn(
        { source: this.source, backend: outage.backend, hint: outage.hint, since: new Date(outage.since).toISOString(), error: outage.error },
        `${backend} unreachable since ${new Date(outage.since).toISOString()}: detection passes are skipped until it answers, then catch up (${outage.hint ?? 'check its URL'}); ${outage.error}`,
      );
      return;
    }
    logger.debug({ service, source: this.source, since: outage ? new Date(outage.since).toISOString() : undefined, error: error.message }, `detection pass skipped: the ${this.source} source is unreachable`);
  }

  /**
   * A pass read the source at `at`. Ends the outage if one is recorded (the pass that ends it says
   * so, once across every process, with the gap) and returns the outages that ended lately.
   */
  async reachable(at: number): Promise<OutageWindow[]> {
    this.options.metrics?.sourceUp(this.source, true);
    const { ended, recent } = await this.options.outages.up(this.source, at);
    if (ended) this.reportRecovery(ended, at);
    return recent;
  }

  private reportRecovery(outage: SourceOutage, at: number): void {
    const from = new Date(outage.since).toISOString();
    const to = new Date(at).toISOString();
    const minutes = Math.max(0, Math.round((at - outage.since) / 60_000));
    const backend = outage.backend ?? `the ${this.source} source`;
    this.options.logger.info(
      { source: this.source, backend: outage.backend, from, to, minutes },
      `${backend} is back: no metrics could be read from ${from} to ${to} (${minutes} min); detection catches up from the last sample it scored`,
    );
  }
}
