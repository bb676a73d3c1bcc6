import { hasCredentialPrefix, parseCredential, type ParsedCredential } from '@tollgate/credentials';
import type { RateLimiter } from '@tollgate/rate-limit';
import { LRUCache } from 'lru-cache';
import { enforceConstraints } from './credential-policy.js';
import type {
  AccessTokenClaims,
  JwtAccessTokenVerifier,
  VerifiedAccessToken,
} from './jwt/jwt-access-token.verifier.js';
import type { Principal } from './principal.js';
import type { RevocationList } from './revocation/revocation-list.js';
import { invalidToken, VerificationError } from './verification-error.js';

export interface VerificationContext {
  /** The caller's address, for IP allowlists, rate limits and "last used". */
  address: string;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** A verified credential, with the response headers its policy adds (the RateLimit fields of its bucket). */
export interface VerifiedRequest {
  principal: Principal;
  headers: Record<string, string>;
}

/** Verifies Tollgate's opaque credentials (PATs, API keys) whose checksum already passed. */
export interface OpaqueCredentialVerifier {
  verify(token: string, parsed: ParsedCredential, context: VerificationContext): Promise<Principal>;
  /**
   * What `verify` would answer from memory alone, when that is an accepted principal; otherwise
   * undefined. Called before the credential is parsed: only a string `verify` accepted (checksum,
   * kind, environment) can be remembered, so nothing else can come back from here.
   */
  cached?(token: string): Principal | undefined;
}

export interface CredentialVerifierOptions {
  jwt: JwtAccessTokenVerifier;
  /** Absent: PATs and API keys are refused here. */
  opaque?: OpaqueCredentialVerifier;
  revocations?: RevocationList;
  /** Enforces per-credential rate limits; without it they are not enforced. */
  rateLimiter?: RateLimiter;
  /**
   * An authoritative check after the signature (the auth-server asks its database). When set,
   * verified JWTs are not cached, since the check must run on every request.
   */
  checkAccessToken?: (claims: AccessTokenClaims, principal: Principal) => Promise<void>;
  /** How many verified JWTs to remember (by token string, until their `exp`): the only cache of them. */
  cacheSize?: number;
  now?: () => number;
}

/**
 * The one entry point for every credential a Tollgate resource server accepts. JWTs are verified
 * locally and then remembered until they expire, so a client reusing its token costs one map
 * lookup, over HTTP and MQTT alike; opaque credentials are refused on a bad checksum before any
 * I/O. Both pass the revocation list on every request.
 */
export class CredentialVerifier {
  private readonly verifiedTokens?: LRUCache<string, VerifiedAccessToken>;
  private readonly now: () => number;

  constructor(private readonly options: CredentialVerifierOptions) {
    this.now = options.now ?? Date.now;
    if (!options.checkAccessToken) this.verifiedTokens = new LRUCache({ max: options.cacheSize ?? 10_000 });
  }

  get audience(): string {
    return this.options.jwt.audience;
  }

  async verify(token: string, context: VerificationContext): Promise<Principal> {
    return (await this.verifyRequest(token, context)).principal;
  }

  /** `verify`, plus the headers the answer to this request must carry. */
  async verifyRequest(token: string, context: VerificationContext): Promise<VerifiedRequest> {
    const principal = hasCredentialPrefix(token)
      ? await this.verifyOpaque(token, context)
      : (await this.verifyJwt(token)).principal;
    return this.authorize(principal, context);
  }

  /**
   * The principal of a credential verified earlier and still remembered (a JWT until its `exp`, a
   * PAT or API key while its introspection result is cached), without any I/O; undefined when it
   * must be verified (or refused) by `verifyRequest`. Only what `verifyRequest` would accept comes
   * from here, and `authorize` must still pass: the deny list and the credential's policy apply to
   * every request.
   */
  cachedPrincipal(token: string): Principal | undefined {
    if (!hasCredentialPrefix(token)) {
      const cached = this.verifiedTokens?.get(token);
      return cached && cached.principal.expiresAt!.getTime() > this.now() ? cached.principal : undefined;
    }
    return this.options.opaque?.cached?.(token);
  }

  /** The checks every request makes after the credential is verified: the deny list, then its own policy (address, rate limit). */
  async authorize(principal: Principal, context: VerificationContext): Promise<VerifiedRequest> {
    const reason = this.options.revocations?.reasonFor(principal);
    if (reason) throw invalidToken(`The credential has been revoked`, reason);
    if (!principal.constraints) return { principal, headers: NO_HEADERS };
    try {
      return { principal, headers: await enforceConstraints(principal, context.address, this.options.rateLimiter) };
    } catch (error) {
      if (error instanceof VerificationError) error.principal = principal;
      throw error;
    }
  }

  /**
   * A JWT access token alone, with its claims, refused if the deny list says so: for servers that
   * are not HTTP (the MQTT broker), which read the claims and enforce their own policy.
   */
  async verifyAccessToken(token: string): Promise<VerifiedAccessToken> {
    const verified = await this.verifyJwt(token);
    const reason = this.options.revocations?.reasonFor(verified.principal);
    if (reason) throw invalidToken('The access token has been revoked', reason);
    return verified;
  }

  /**
   * `verifyAccessToken` without waiting, for a JWT verified earlier: its claims while it is
   * remembered (until its `exp`) and the deny list does not name it; undefined otherwise, when
   * `verifyAccessToken` must decide (and refuse it, if it must be refused).
   */
  rememberedAccessToken(token: string): VerifiedAccessToken | undefined {
    const cached = this.verifiedTokens?.get(token);
    if (!cached || cached.principal.expiresAt!.getTime() <= this.now()) return undefined;
    return this.options.revocations?.reasonFor(cached.principal) ? undefined : cached;
  }

  /** Forgets every cached verification (after a revocation the list cannot express, e.g. a retired key). */
  clearCache(): void {
    this.verifiedTokens?.clear();
  }

  private async verifyJwt(token: string): Promise<VerifiedAccessToken> {
    const cached = this.verifiedTokens?.get(token);
    if (cached && cached.principal.expiresAt!.getTime() > this.now()) return cached;
    const verified = await this.options.jwt.verify(token);
    if (this.options.checkAccessToken) await this.options.checkAccessToken(verified.claims, verified.principal);
    this.verifiedTokens?.set(token, verified);
    return verified;
  }

  private async verifyOpaque(token: string, context: VerificationContext): Promise<Principal> {
    const parsed = parseCredential(token);
    if (!parsed)
      throw invalidToken(
        'The credential is malformed (its checksum does not match: check for a copy-paste error)',
        'checksum',
      );
    if (parsed.kind === 'client_secret')
      throw invalidToken('A client secret is not an access token: exchange it at the token endpoint', 'client_secret');
    if (!this.options.opaque) throw invalidToken('Only JWT access tokens are accepted here', 'opaque_not_accepted');
    return this.options.opaque.verify(token, parsed, context);
  }
}
