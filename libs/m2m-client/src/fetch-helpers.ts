// Internal helpers shared by discovery and the token provider (not exported from the library).

/** True for the error fetch raises when its AbortSignal.timeout fired (directly or while reading the body). */
export function isTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || (error.cause instanceof Error && error.cause.name === 'TimeoutError'))
  );
}

/** The most telling message of a fetch failure: undici wraps the socket error ("connect ECONNREFUSED …") in a bare "fetch failed". */
export function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof AggregateError && cause.errors[0] instanceof Error) return cause.errors[0].message;
  if (cause instanceof Error && cause.message) return cause.message;
  return error.message;
}

/** The body parsed as JSON, or undefined when it is not JSON. Network errors and timeouts still reject. */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
