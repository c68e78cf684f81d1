/**
 * Waits until `probe` gives a truthy value and returns it, trying every `everyMs`; past the deadline it fails
 * naming what it waited for (and the last value seen), instead of a test that sleeps a fixed time and hopes.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what} (last seen: ${JSON.stringify(v)})`,
      );
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}
