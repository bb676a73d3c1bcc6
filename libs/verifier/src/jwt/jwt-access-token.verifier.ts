import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Principal } from '../principal.js';
import { invalidToken, unavailable, type VerificationError } from '../verification-error.js';

export interface JwtAccessTokenVerifierOptions {
  issuer: string;
  /** This resource server's RFC 8707 indicator; tokens must carry it in `aud`. */
  audience: string;
  /** Where verification keys come from: a remote JWKS (`createRemoteJWKSet`) or a local set. */
  keys: JWTVerifyGetKey;
  algorithms?: string[];
  clockToleranceSeconds?: number;
  /** Longer tokens are refused before any parsing. */
  maxTokenLength?: number;
  now?: () => Date;
}

/** Claims of a Tollgate access token beyond the registered ones (RFC 9068 §2.2). */
export interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  scope?: string;
  /** Set on tokens obtained by exchanging a PAT (RFC 8693): the PAT's record id. */
  pat_id?: string;
  /**
   * RFC 7800 confirmation: what the token is bound to (`jkt`: a DPoP key's thumbprint, RFC 9449 §6.1;
   * `x5t#S256`: a client certificate's, RFC 8705 §3.1).
   */
  cnf?: { jkt?: string; 'x5t#S256'?: string; [member: string]: unknown };
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const DEFAULT_ALGORITHMS = ['ES256', 'EdDSA'];

/**
 * The longest lifetime (`exp` − `iat`) of a Tollgate access token, in seconds: the auth-server never
 * grants more (resource TTLs are capped at it), and verifiers refuse more, so a stolen signing key
 * cannot mint tokens that outlive a missed revocation event by more than this.
 */
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 86_400;

/** A verified JWT access token: who it speaks for, and the claims it carries. */
export interface VerifiedAccessToken {
  principal: Principal;
  claims: AccessTokenClaims;
}

/**
 * Verifies RFC 9068 JWT access tokens locally: algorithm allow-list (never `none` nor HMAC),
 * `typ: at+jwt`, issuer, audience, `exp`/`nbf`/`iat` with a small skew, and the claims Tollgate
 * relies on. Embedded `jwk`, `jku` and `x5u` headers are ignored: keys come only from `keys`.
 */
export class JwtAccessTokenVerifier {
  private readonly algorithms: string[];
  private readonly maxTokenLength: number;

  constructor(private readonly options: JwtAccessTokenVerifierOptions) {
    this.algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    this.maxTokenLength = options.maxTokenLength ?? 8192;
  }

  get audience(): string {
    return this.options.audience;
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    if (token.length > this.maxTokenLength) throw invalidToken('The access token is too long', 'too_long');
    if (!JWS_COMPACT.test(token)) throw invalidToken('The access token is not a signed JWT', 'malformed');
    let payload: JWTPayload;
    let keyId: string | undefined;
    const currentDate = this.options.now?.() ?? new Date();
    const clockTolerance = this.options.clockToleranceSeconds ?? 5;
    try {
      ({
        payload,
        protectedHeader: { kid: keyId },
      } = await jwtVerify(token, this.options.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.algorithms,
        typ: 'at+jwt',
        clockTolerance,
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
        currentDate,
      }));
    } catch (error) {
      throw describeJoseError(error);
    }
    const claims = payload as AccessTokenClaims;
    // jose checks `iat` only with maxTokenAge. A future `iat` would also outlive "revoke every token issued before T".
    if (claims.iat! > currentDate.getTime() / 1000 + clockTolerance)
      throw invalidToken('The access token is not valid yet', 'not_yet_valid');
    if (claims.exp! - claims.iat! > MAX_ACCESS_TOKEN_LIFETIME_SECONDS) {
      throw invalidToken(
        `The access token lives longer (exp - iat) than this issuer grants (${MAX_ACCESS_TOKEN_LIFETIME_SECONDS} s)`,
        'lifetime_too_long',
      );
    }
    if (typeof claims.client_id !== 'string' || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') {
      throw invalidToken('The access token lacks required claims', 'missing_claims');
    }
    if (claims.scope !== undefined && typeof claims.scope !== 'string')
      throw invalidToken('The access token scope is malformed', 'malformed');
    return { claims, principal: principalFromClaims(claims, keyId) };
  }
}

export function principalFromClaims(claims: AccessTokenClaims, keyId?: string): Principal {
  const audience = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
  return {
    credentialType: 'access_token',
    credentialId: claims.jti!,
    subject: claims.sub!,
    clientId: claims.client_id,
    userId: claims.pat_id ? claims.sub : undefined,
    patId: claims.pat_id,
    scopes: new Set(claims.scope ? claims.scope.split(' ').filter(Boolean) : []),
    audience,
    issuedAt: new Date(claims.iat! * 1000),
    expiresAt: new Date(claims.exp! * 1000),
    ...(keyId !== undefined && { keyId }),
    ...(claims.cnf !== undefined && { confirmation: confirmationOf(claims.cnf) }),
  };
}

/**
 * The key a token is bound to. Any `cnf` marks the token as bound, even one whose method this
 * verifier cannot check (no `jkt`): such a token must never pass as a bearer token.
 */
function confirmationOf(cnf: unknown): { jkt?: string; x5tS256?: string } {
  const { jkt, 'x5t#S256': x5tS256 } = (typeof cnf === 'object' && cnf !== null ? cnf : {}) as Record<string, unknown>;
  return {
    ...(typeof jkt === 'string' && { jkt }),
    ...(typeof x5tS256 === 'string' && { x5tS256 }),
  };
}

/** Maps jose's errors to RFC 6750 answers with a description that says what was wrong, without echoing input. */
function describeJoseError(error: unknown): VerificationError {
  if (error instanceof errors.JWTExpired) return invalidToken('The access token has expired', 'expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'aud') return invalidToken('The access token is not meant for this resource (aud)', 'wrong_audience');
    if (claim === 'iss')
      return invalidToken('The access token was not issued by the expected issuer (iss)', 'wrong_issuer');
    if (claim === 'typ') return invalidToken('The token is not an access token (typ must be at+jwt)', 'wrong_type');
    // A missing or non-numeric `iat`/`nbf` is a malformed claim, not a token from the future.
    if ((claim === 'nbf' || claim === 'iat') && error.reason === 'check_failed')
      return invalidToken('The access token is not valid yet', 'not_yet_valid');
    return invalidToken(`The access token has an invalid or missing "${claim}" claim`, 'invalid_claim');
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return invalidToken('The access token is signed with an algorithm that is not allowed', 'alg_not_allowed');
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalidToken('The access token is signed with an unknown key', 'unknown_key');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken('The access token signature is invalid', 'bad_signature');
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
    return unavailable('The signing keys could not be fetched; try again shortly', 'keys_unavailable');
  }
  return invalidToken('The access token is malformed', 'malformed');
}
