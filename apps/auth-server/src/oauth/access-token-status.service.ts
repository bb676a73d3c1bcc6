import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { type AccessTokenClaims, DEFAULT_ALGORITHMS, MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import { jwtVerify } from 'jose';
import { ClientsRepository } from '../clients/clients.repository.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { SigningKeysService } from '../signing-keys/signing-keys.service.js';
import { OpaqueCredentialVerifiers } from './opaque-credential-verifiers.js';
import { RevokedTokensRepository } from './revoked-tokens.repository.js';

/**
 * The authoritative state of a JWT access token this server issued: signature, expiry, and what
 * only the database knows (revoked `jti`, client disabled or deleted, "all tokens before T").
 */
@Injectable()
export class AccessTokenStatusService {
  constructor(
    private readonly revoked: RevokedTokensRepository,
    private readonly clients: ClientsRepository,
    private readonly keys: SigningKeysService,
    private readonly opaqueCredentials: OpaqueCredentialVerifiers,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The claims of a token we issued with a valid signature, whether or not it expired; null otherwise. */
  async decodeOwnToken(token: string, options: { allowExpired?: boolean } = {}): Promise<AccessTokenClaims | null> {
    if (token.length > 8192) return null;
    try {
      const { payload } = await jwtVerify(token, this.keys.keySet, {
        issuer: this.config.issuer,
        algorithms: DEFAULT_ALGORITHMS,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
        currentDate: options.allowExpired ? new Date(0) : this.clock.now(),
        clockTolerance: 5,
      });
      // Verifiers refuse longer-lived tokens (JwtAccessTokenVerifier): so does introspection.
      if (payload.exp! - payload.iat! > MAX_ACCESS_TOKEN_LIFETIME_SECONDS) return null;
      return payload as AccessTokenClaims;
    } catch {
      return null;
    }
  }

  /** Why a validly signed, unexpired token must nevertheless be refused; null if it is active. */
  async revocationReason(claims: AccessTokenClaims): Promise<string | null> {
    const [revoked, client, pat] = await Promise.all([
      this.revoked.isRevoked(claims.jti!),
      this.clients.findTokenStatus(claims.client_id),
      // Exchanged for a PAT (RFC 8693): it ends with the PAT and with its owner, and narrows with them.
      claims.pat_id ? this.exchangedTokenRefusal(claims) : null,
    ]);
    if (revoked) return 'revoked';
    if (pat) return pat;
    if (!client) return 'client deleted';
    if (client.disabled) return 'client disabled';
    if (client.tokensValidAfter && claims.iat! * 1000 < client.tokensValidAfter.getTime())
      return 'client tokens revoked';
    return null;
  }

  private async exchangedTokenRefusal(claims: AccessTokenClaims): Promise<string | null> {
    const verifier = this.opaqueCredentials.verifierFor({ kind: 'pat' });
    if (!verifier?.exchangedTokenRefusal) return 'pat unknown';
    // An exchange names one resource (RFC 8707): the JWT's `aud` is that one indicator.
    if (typeof claims.aud !== 'string') return 'exchanged token without a single audience';
    return verifier.exchangedTokenRefusal(claims.pat_id!, claims.aud, claims.scope?.split(' ').filter(Boolean) ?? []);
  }
}
