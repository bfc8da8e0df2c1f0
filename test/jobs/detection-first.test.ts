import { describe, expect, it } from 'vitest';
import { DetectionFirst } from '../../src/jobs/workers/detection-first.js';

/** A pass that runs until `finish` is called. */
function heldPass() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { pass: () => done, finish };
}

/** Whether the promise has settled after the callbacks queued now have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('DetectionFirst: other work waits for detection in the same process', () => {
  it('lets other work start at once when no detection pass runs', async () => {
    expect(await settled(new DetectionFirst().whenQuiet())).toBe(true);
  });

  it('holds other work until every detection pass in hand has finished', async () => {
    const first = new DetectionFirst(60_000);
    const one = heldPass();
    const two = heldPass();
    const passes = [first.detect(one.pass), first.detect(two.pass)];
    const waiting = first.whenQuiet();
    one.finish();
    expect(await settled(waiting)).toBe(false);
    two.finish();
    await Promise.all(passes);
    expect(await settled(waiting)).toBe(true);
  });

  it('lets other work go after the longest wait even while detection never stops, so it never starves', async () => {
    const first = new DetectionFirst(50);
    const endless = heldPass();
    const pass = first.detect(endless.pass);
    const startedAt = Date.now();
    await first.whenQuiet();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    endless.finish();
    await pass;
  });

  it('counts a pass that failed as finished', async () => {
    const first = new DetectionFirst(60_000);
    await expect(first.detect(() => Promise.reject(new Error('metrics source down')))).rejects.toThrow('metrics source down');
    expect(await settled(first.whenQuiet())).toBe(true);
  });
});
