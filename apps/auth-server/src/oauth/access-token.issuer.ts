import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { SigningKeysService } from '../signing-keys/signing-keys.service.js';

export interface AccessTokenRequest {
  /** `sub`: the client id, or the user id for a token exchanged for a PAT. */
  subject: string;
  clientId: string;
  audience: string;
  scopes: string[];
  ttlSeconds: number;
  /** Further claims, e.g. `pat_id` and `act` for exchanged tokens. */
  extraClaims?: Record<string, unknown>;
  /** The subject's "tokens issued before this are refused" instant: a new token must not fall before it. */
  validAfter?: Date | null;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Signs RFC 9068 JWT access tokens (`typ: at+jwt`) with the current signing key. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const key = this.keys.signingKey();
    // iat has whole seconds: a token issued in the same second as a "revoke all tokens" would be
    // dated before it and refused, so it is dated at the next second instead (within verifiers' skew).
    const iat = Math.max(Math.floor(this.clock.now().getTime() / 1000), request.validAfter ? Math.ceil(request.validAfter.getTime() / 1000) : 0);
    const exp = iat + request.ttlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ client_id: request.clientId, scope: request.scopes.join(' '), ...request.extraClaims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.config.issuer)
      .setSubject(request.subject)
      .setAudience(request.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.key);
    return { token, jti, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
  }
}
