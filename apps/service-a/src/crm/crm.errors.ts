/** service-b could not be reached, did not answer in time (`timedOut`), or failed (`status` 5xx). */
export class CrmUnavailableError extends Error {
  override name = 'CrmUnavailableError';

  constructor(
    message: string,
    readonly details: { timedOut?: boolean; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
}

/** service-b refused service-a's access token (RFC 6750 §3.1: 401 `invalid_token`, 403 `insufficient_scope`). */
export class CrmRefusedError extends Error {
  override name = 'CrmRefusedError';

  constructor(
    readonly status: number,
    /** The RFC 6750 error code, when service-b sent one. */
    readonly error: string | undefined,
    /** Why, in service-b's words (the required scope for `insufficient_scope`). */
    readonly reason: string | undefined,
  ) {
    super(`service-b refused our token: ${error ?? `HTTP ${status}`}${reason ? ` (${reason})` : ''}`);
  }
}

/** service-b answered something service-a cannot use (an unexpected status or a malformed page). */
export class CrmResponseError extends Error {
  override name = 'CrmResponseError';
}

/** The contacts kept changing while they were being paged through, so no consistent list could be read. */
export class CrmUnstableError extends Error {
  override name = 'CrmUnstableError';
}
