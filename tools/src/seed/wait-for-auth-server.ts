import { setTimeout as sleep } from 'node:timers/promises';
import { fetchJson, UnreachableError } from './http-json.js';
import { SeedError } from './seed-error.js';

/** Polls `<issuer>/health` until it answers 200; throws a SeedError naming the last problem after `timeoutMs`. */
export async function waitForAuthServer(issuer: string, timeoutMs: number, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const response = await fetchJson(`${issuer}/health`, {
        timeoutMs: Math.max(500, Math.min(5_000, deadline - Date.now())),
      });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      last = error.message;
    }
    if (Date.now() + intervalMs > deadline) {
      throw new SeedError(
        `The auth-server at ${issuer} did not answer GET /health within ${Math.round(timeoutMs / 1000)} s (last: ${last}). Is it running, and is AUTH_ISSUER (or AUTH_INTERNAL_URL) its URL?`,
      );
    }
    await sleep(intervalMs);
  }
}
