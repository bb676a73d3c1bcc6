import { Inject, Injectable } from '@nestjs/common';
import type { OpaqueIntrospectionResponse } from '@tollgate/verifier';
import { hasCredentialPrefix, MANAGEMENT_SCOPES, parseCredential } from '@tollgate/credentials';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import { AccessTokenStatusService } from './access-token-status.service.js';
import type { AuthenticatedClient } from './client-authentication.service.js';
import { OpaqueCredentialVerifiers, toIntrospectionResponse } from './opaque-credential-verifiers.js';

/** RFC 7662 §2.2 response. An inactive token is exactly `{ "active": false }`. */
export type IntrospectionResponse =
  { active: false } | OpaqueIntrospectionResponse | ({ active: true } & Record<string, unknown>);

export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

/**
 * Introspects tokens for authenticated clients. A client may introspect the tokens issued to
 * itself; resource servers (granted `tokens:introspect` on the management API) may introspect any,
 * including PATs and API keys, whose scopes are computed for the `resource` they name.
 */
@Injectable()
export class TokenIntrospectionService {
  constructor(
    private readonly accessTokens: AccessTokenStatusService,
    private readonly opaqueCredentials: OpaqueCredentialVerifiers,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
  ) {}

  async introspect(
    token: string,
    caller: AuthenticatedClient,
    resource: string | undefined,
    address: string,
  ): Promise<IntrospectionResponse> {
    if (hasCredentialPrefix(token)) return this.introspectOpaque(token, caller, resource, address);
    const claims = await this.accessTokens.decodeOwnToken(token);
    if (!claims) return INACTIVE;
    if (claims.client_id !== caller.client.id && !this.mayIntrospectAny(caller)) return INACTIVE;
    if (await this.accessTokens.revocationReason(claims)) return INACTIVE;
    return {
      active: true,
      // RFC 9449 §6.2: a DPoP-bound token says so, with the key it is bound to.
      token_type: claims.cnf?.jkt ? 'DPoP' : 'Bearer',
      scope: claims.scope ?? '',
      client_id: claims.client_id,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      ...(claims.pat_id ? { pat_id: claims.pat_id } : {}),
      ...(claims.cnf ? { cnf: claims.cnf } : {}),
    };
  }

  /** PATs and API keys are not issued to clients: only resource servers may introspect them. */
  private async introspectOpaque(
    token: string,
    caller: AuthenticatedClient,
    resource: string | undefined,
    address: string,
  ): Promise<IntrospectionResponse> {
    const parsed = parseCredential(token);
    if (!parsed || !this.mayIntrospectAny(caller)) return INACTIVE;
    const active = await this.opaqueCredentials.verifierFor(parsed)?.introspect(token, resource, address);
    return active ? toIntrospectionResponse(active, this.config.issuer) : INACTIVE;
  }

  private mayIntrospectAny(caller: AuthenticatedClient): boolean {
    return caller.grants.some(
      (g) =>
        g.resource.indicator === this.config.managementApiIndicator && g.scopes.includes(MANAGEMENT_SCOPES.introspect),
    );
  }
}
