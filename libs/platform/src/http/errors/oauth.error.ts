import { HttpException } from '@nestjs/common';

/** RFC 6749 §5.2 error codes, plus those added by RFC 7009, RFC 8707 and RFC 8693. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'temporarily_unavailable'
  | 'server_error'
  // The device grant's token responses (RFC 8628 §3.5).
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token'
  // DPoP (RFC 9449 §5, §8).
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

/** An error answered in the OAuth 2.0 form `{ error, error_description }` (RFC 6749 §5.2). */
export class OAuthError extends HttpException {
  readonly headers: Record<string, string>;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    status = error === 'invalid_client' ? 401 : 400,
    headers: Record<string, string> = {},
  ) {
    super({ error, error_description: description }, status);
    this.headers = headers;
  }
}

/** The OAuth error code a generic HTTP status maps to, for failures raised before our handlers run. */
export function oauthCodeForStatus(status: number): OAuthErrorCode {
  if (status === 401) return 'invalid_client';
  if (status === 503) return 'temporarily_unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_request';
}
