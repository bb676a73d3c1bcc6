import { Injectable } from '@nestjs/common';
import { OAuthError } from '@tollgate/platform/http';
import { AuditService } from '../audit/audit.service.js';
import { resourceIndicatorProblem } from '../common/resource-indicator.js';
import { parseScopeParameter } from '../common/scope.js';
import { AccessTokenIssuer } from './access-token.issuer.js';
import type { AuthenticatedClient, ClientGrant } from './client-authentication.service.js';
import type { FormParameters } from './form-parameters.js';
import type { TokenResponse } from './token-response.js';
import { assertBindingAllowed, boundToken, type SenderBinding } from './sender-binding.js';

/**
 * RFC 6749 §4.4 client credentials with RFC 8707 resource indicators: one resource per token (its
 * indicator is the `aud`), scopes limited to what the client is granted on that resource, no
 * refresh token (§4.4.3).
 */
@Injectable()
export class ClientCredentialsGrant {
  constructor(
    private readonly issuer: AccessTokenIssuer,
    private readonly audit: AuditService,
  ) {}

  async handle(
    caller: AuthenticatedClient,
    params: FormParameters,
    address: string,
    binding?: SenderBinding,
  ): Promise<TokenResponse> {
    const grant = this.selectGrant(caller, params.resource);
    const scopes = this.selectScopes(grant, params.scope);
    assertBindingAllowed(caller.client, grant.resource, binding);
    const bound = boundToken(binding);
    const issued = await this.issuer.issue({
      subject: caller.client.id,
      clientId: caller.client.id,
      audience: grant.resource.indicator,
      scopes,
      ttlSeconds: grant.resource.accessTokenTtl,
      validAfter: caller.client.tokensValidAfter,
      // The IoT broker budgets a connection's publishes by the kind of client it serves.
      extraClaims: { client_kind: caller.client.kind, ...bound.claims },
    });
    await this.audit.record({
      action: 'token.issued',
      outcome: 'success',
      actor: { type: 'client', id: caller.client.id },
      credential: { type: 'access_token', id: issued.jti },
      address,
      details: {
        grant: 'client_credentials',
        aud: grant.resource.indicator,
        scope: scopes.join(' '),
        exp: issued.expiresAt.toISOString(),
        ...bound.audit,
      },
    });
    return {
      access_token: issued.token,
      token_type: bound.tokenType,
      expires_in: grant.resource.accessTokenTtl,
      scope: scopes.join(' '),
    };
  }

  private selectGrant(caller: AuthenticatedClient, resource: string | undefined): ClientGrant {
    if (resource === undefined) {
      if (caller.grants.length === 1) return caller.grants[0];
      throw new OAuthError(
        'invalid_target',
        caller.grants.length === 0
          ? 'This client has no access to any resource'
          : 'This client may access several resources: name one with the resource parameter',
      );
    }
    const problem = resourceIndicatorProblem(resource);
    if (problem) throw new OAuthError('invalid_target', `resource ${problem}`);
    const grant = caller.grants.find((g) => g.resource.indicator === resource);
    if (!grant) throw new OAuthError('invalid_target', 'This client may not request tokens for that resource');
    return grant;
  }

  private selectScopes(grant: ClientGrant, scope: string | undefined): string[] {
    const allowed = grant.scopes.filter((s) => grant.resource.scopes.includes(s));
    if (scope === undefined) {
      if (allowed.length === 0) throw new OAuthError('invalid_scope', 'This client holds no scopes on the resource');
      return allowed;
    }
    const requested = parseScopeParameter(scope);
    if (!requested) throw new OAuthError('invalid_scope', 'The scope parameter is malformed (RFC 6749 §3.3)');
    const refused = requested.filter((s) => !allowed.includes(s));
    if (refused.length > 0)
      throw new OAuthError('invalid_scope', `Scope not granted to this client on the resource: ${refused.join(' ')}`);
    return requested;
  }
}
