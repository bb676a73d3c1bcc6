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
    const iat = Math.floor(this.clock.now().getTime() / 1000);
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
