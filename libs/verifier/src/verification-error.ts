import type { Principal } from './principal.js';

/** RFC 6750 §3.1 error codes a resource server answers with. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * A refusal code: an RFC 6750 error; `access_denied` for a credential used from an address it is not
 * allowed from; `rate_limited` past a credential's rate limit; `temporarily_unavailable` when the
 * credential could not be checked at all.
 */
export type VerificationErrorCode =
  BearerErrorCode | DpopErrorCode | 'access_denied' | 'rate_limited' | 'temporarily_unavailable';

/** RFC 9449 §7.1 error codes of a request with a DPoP-bound token. */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

const STATUS: Record<VerificationErrorCode, number> = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_dpop_proof: 401,
  use_dpop_nonce: 401,
  access_denied: 403,
  rate_limited: 429,
  temporarily_unavailable: 503,
};

/** Why a credential was refused; `description` is safe to send to the caller. */
export class VerificationError extends Error {
  override name = 'VerificationError';
  /** The caller, when the credential itself was valid but a policy refused it (address, rate, scope). */
  principal?: Principal;
  /** `DPoP`: the refusal concerns a DPoP-bound token or a DPoP request, so the challenge uses that scheme (RFC 9449 §7.1). */
  scheme: 'Bearer' | 'DPoP' = 'Bearer';

  constructor(
    readonly code: VerificationErrorCode,
    readonly description: string,
    /** Machine-readable reason for audit and metrics (e.g. `expired`, `revoked`, `bad_signature`). */
    readonly reason: string = code,
    /** Extra response headers (Retry-After, RateLimit). */
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const invalidToken = (description: string, reason?: string) =>
  new VerificationError('invalid_token', description, reason);

export const unavailable = (description: string, reason = 'unavailable') =>
  new VerificationError('temporarily_unavailable', description, reason);
