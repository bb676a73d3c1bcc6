import { setTimeout as sleep } from 'node:timers/promises';
import { describeErrorBody } from '@tollgate/api-client';
import type { JsonResponse } from '../seed/http-json.js';

/** A check inside a step did not hold; the message is what the demo prints after ✗. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export function expectStatus(response: JsonResponse, status: number, what: string): void {
  if (response.status !== status)
    throw new CheckFailed(`${what}: expected ${status}, got ${response.status} (${describeErrorBody(response.body)})`);
}

/** Polls until `condition` yields a value; fails with `description` after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | false>,
  description: string,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new CheckFailed(`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${description}`);
    await sleep(intervalMs);
  }
}
