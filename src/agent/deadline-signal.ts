/** An abort signal that fires at a deadline or with the caller's own signal, and the means to let it go. */
export interface DeadlineSignal {
  signal: AbortSignal;
  /** Stops the timer; call when the work is done. */
  clear(): void;
}

/**
 * Not `AbortSignal.any([AbortSignal.timeout(ms), …])`: on Node 20 the composite holds its sources
 * weakly and a timeout signal nobody listens to may be garbage-collected before it fires, so an
 * investigation whose tool ignores its signal could hang for ever on a busy machine. Here the
 * timer holds the controller.
 */
export function deadlineSignal(milliseconds: number, cancel?: AbortSignal): DeadlineSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The investigation time limit was reached', 'TimeoutError')), Math.max(0, milliseconds));
  const onCancel = () => controller.abort(cancel?.reason);
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}
