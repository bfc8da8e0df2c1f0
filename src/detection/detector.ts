/**
 * The streaming anomaly detector contract. A detector sees one series, one observation at a
 * time, in time order, and answers at once: row i is scored from rows up to i only. Its whole
 * state serialises to JSON, so a worker can save it to Redis after a batch and another worker can
 * restore it and carry on with identical scores.
 */

/** JSON-serialisable detector state; `kind` and `version` let restore refuse what it cannot read. */
export interface DetectorState {
  kind: string;
  version: number;
  [key: string]: unknown;
}

export interface AnomalyDetector {
  /**
   * Scores the observation at `timestamp` (milliseconds since the epoch). A NaN value is a missing
   * point: the detector advances its clock and returns 0. Returns the anomaly score in [0, 1].
   */
  update(timestamp: number, value: number): number;
  /**
   * The caller did not alert on the last score: the change it scored is too small to matter
   * (see materialChange). A detector that holds off after an alert forgets the hold-off that score
   * started, so a change that goes on to matter can still alert. Call right after `update`.
   */
  dismiss?(): void;
  /** The state to save; `restoreDetector(snapshot())` continues exactly where this one is. */
  snapshot(): DetectorState;
}
