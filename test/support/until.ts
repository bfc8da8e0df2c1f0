/** Polls `condition` every 100 ms until it holds; fails naming `what` after the timeout. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMilliseconds = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
