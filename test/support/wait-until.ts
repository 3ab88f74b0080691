/**
 * Polls until a condition holds. Not a timed assertion: the bound only turns a
 * hang into a failure that says what never happened.
 */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, boundMs = 45_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `probe` returns a value (anything but undefined) and returns it; bounded like waitUntil. */
export async function waitForValue<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, boundMs?: number): Promise<T> {
  let value: T | undefined;
  await waitUntil(async () => (value = await probe()) !== undefined, what, boundMs);
  return value as T;
}
