/**
 * The authorization server answered the token request with an OAuth error (RFC 6749 §5.2), e.g.
 * `invalid_client` (wrong id or secret), `invalid_scope` or `invalid_target` (RFC 8707 §2).
 * Retrying with the same request will not help: the configuration or the client's grants must change.
 */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';

  constructor(
    readonly issuer: string,
    readonly clientId: string,
    /** HTTP status of the error response. */
    readonly status: number,
    readonly error: string,
    readonly error_description?: string,
    readonly error_uri?: string,
  ) {
    super(
      `The authorization server at ${issuer} refused the token request of client "${clientId}": ${error}${error_description ? ` (${error_description})` : ''}`,
    );
  }
}

export interface AuthServerUnavailableOptions {
  cause?: unknown;
  /** HTTP status when the server answered (5xx, or 429 when it rate-limited us). */
  status?: number;
  /** True when the request was abandoned after the timeout. */
  timedOut?: boolean;
  /** Seconds from the server's `Retry-After` header, when it sent one. */
  retryAfterSeconds?: number;
}

/** The authorization server could not be reached, did not answer in time, or failed (5xx/429). Worth retrying later. */
export class AuthServerUnavailableError extends Error {
  override name = 'AuthServerUnavailableError';
  readonly status?: number;
  readonly timedOut: boolean;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly issuer: string,
    message: string,
    options: AuthServerUnavailableOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.timedOut = options.timedOut ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The authorization server answered something that is not a valid RFC 6749 §5.1/§5.2 response (a server bug or the wrong URL). */
export class InvalidTokenResponseError extends Error {
  override name = 'InvalidTokenResponseError';

  constructor(
    readonly issuer: string,
    /** HTTP status of the offending response. */
    readonly status: number,
    /** What is wrong with it, e.g. `token_type "mac" is not Bearer`. */
    readonly problem: string,
  ) {
    super(
      `The authorization server at ${issuer} answered the token request with an invalid response (HTTP ${status}): ${problem}`,
    );
  }
}
