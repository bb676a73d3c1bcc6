import { setTimeout as sleep } from 'node:timers/promises';

/** Retries an assertion until it passes or `timeoutMs` elapses (for effects that cross processes or feeds). */
export async function eventually(
  assertion: () => Promise<void> | void,
  timeoutMs = 5_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
