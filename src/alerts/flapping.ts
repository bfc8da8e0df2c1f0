export interface FlappingOptions {
  /** How far back transitions count. Default 30 minutes. */
  windowMilliseconds?: number;
  /** Transitions inside the window that make an alert flapping. Default 4: fire, resolve, fire, resolve. */
  minimumTransitions?: number;
}

export const DEFAULT_FLAPPING_OPTIONS: Required<FlappingOptions> = {
  windowMilliseconds: 30 * 60_000,
  minimumTransitions: 4,
};

/**
 * Whether an alert is flapping at `now`: it changed between firing and resolved at least
 * `minimumTransitions` times in the window ending at `now`. The first firing counts as a
 * transition (from quiet to firing), so fire, resolve, fire, resolve within 30 minutes is
 * flapping by default. Transitions after `now` are ignored: late deliveries must not make the
 * past look noisier than it was.
 */
export function isFlapping(transitions: readonly number[], now: number, options: FlappingOptions = {}): boolean {
  const windowMilliseconds = options.windowMilliseconds ?? DEFAULT_FLAPPING_OPTIONS.windowMilliseconds;
  const minimumTransitions = options.minimumTransitions ?? DEFAULT_FLAPPING_OPTIONS.minimumTransitions;
  const recent = transitions.filter((time) => time > now - windowMilliseconds && time <= now);
  return recent.length >= minimumTransitions;
}
