import { describe, expect, it } from 'vitest';
import { deadlineSignal } from '../../src/agent/deadline-signal.js';

describe('deadlineSignal', () => {
  it('aborts at its deadline with a TimeoutError', async () => {
    const deadline = deadlineSignal(30);
    const reason = await new Promise<unknown>((resolve) => deadline.signal.addEventListener('abort', () => resolve(deadline.signal.reason)));
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it("aborts at once with the caller's signal, and not at all once cleared", async () => {
    const cancel = new AbortController();
    const cancelled = deadlineSignal(60_000, cancel.signal);
    cancel.abort(new Error('user cancelled'));
    expect(cancelled.signal.aborted).toBe(true);
    cancelled.clear();

    const cleared = deadlineSignal(20);
    cleared.clear();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cleared.signal.aborted).toBe(false);
  });
});
