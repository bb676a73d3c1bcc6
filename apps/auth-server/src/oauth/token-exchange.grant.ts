import { Inject, Injectable } from '@nestjs/common';
import { type ParsedCredential, parseCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { OAuthError } from '@tollgate/platform/http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditService } from '../audit/audit.service.js';
import { resourceIndicatorProblem } from '../common/resource-indicator.js';
import { parseScopeParameter } from '../common/scope.js';
import type { ResourceEntity } from '../resources/resources.repository.js';
import { ResourcesService } from '../resources/resources.service.js';
import { AccessTokenIssuer } from './access-token.issuer.js';
import type { AuthenticatedClient } from './client-authentication.service.js';
import { ExchangedTokensService } from './exchanged-tokens.service.js';
import type { FormParameters } from './form-parameters.js';
import { type ActiveOpaqueCredential, OpaqueCredentialVerifiers } from './opaque-credential-verifiers.js';
import { assertBindingAllowed, boundToken, type SenderBinding } from './sender-binding.js';
import type { TokenResponse } from './token-response.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** Our own token type URI for a Tollgate personal access token (RFC 8693 §3 allows other URIs). */
export const PAT_TOKEN_TYPE = 'urn:tollgate:params:oauth:token-type:pat';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * RFC 8693 token exchange: a client trusted with `allowTokenExchange` trades a user's PAT for a
 * short-lived JWT for one resource it holds a grant on. The PAT must be active there; its scopes,
 * resource restriction, the owner's current roles and the client's grant bound the result, which
 * lives at most the resource's TTL and never beyond the PAT. The JWT names the user (`sub`), the
 * PAT (`pat_id`) and the client acting for the user (`client_id`, `act`, §4.1); verifiers check it
 * like its PAT: revoking the PAT revokes it (ExchangedTokensService), and a change to the owner's
 * roles refuses it (AccessTokenStatusService, and `subject.changed` on the revocation feed).
 */
@Injectable()
export class TokenExchangeGrant {
  constructor(
    private readonly opaqueCredentials: OpaqueCredentialVerifiers,
    private readonly issuer: AccessTokenIssuer,
    private readonly exchangedTokens: ExchangedTokensService,
    private readonly audit: AuditService,
    private readonly resources: ResourcesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(
    caller: AuthenticatedClient,
    params: FormParameters,
    address: string,
    binding?: SenderBinding,
  ): Promise<TokenResponse> {
    const clientId = caller.client.id;
    if (!caller.client.allowTokenExchange)
      throw new OAuthError('unauthorized_client', 'This client may not use token exchange (allowTokenExchange is off)');
    if (!params.subject_token) throw new OAuthError('invalid_request', 'subject_token is required');
    if (params.subject_token_type !== PAT_TOKEN_TYPE)
      throw new OAuthError('invalid_request', `subject_token_type must be ${PAT_TOKEN_TYPE}`);
    if (params.actor_token !== undefined || params.actor_token_type !== undefined)
      throw new OAuthError('invalid_request', 'actor_token is not supported: the authenticated client is the actor');
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE)
      throw new OAuthError('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    if (params.audience !== undefined)
      throw new OAuthError('invalid_target', 'Name the target with the resource parameter (RFC 8707), not audience');
    const resource = await this.targetResource(params.resource);
    assertBindingAllowed(caller.client, resource, binding);
    const bound = boundToken(binding);
    // The acting client gets no more than it may hold at the target itself. RFC 8693 §2.2.2: a target
    // the server will not issue for is invalid_target (unauthorized_client is about the grant type).
    const grant = caller.grants.find((g) => g.resource.indicator === resource.indicator);
    if (!grant) {
      await this.audit.record({
        action: 'token.exchange.denied',
        outcome: 'denied',
        actor: { type: 'client', id: clientId },
        address,
        reason: 'no grant on the target resource',
        details: { aud: resource.indicator },
      });
      throw new OAuthError(
        'invalid_target',
        'This client holds no grant on that resource: it may not obtain tokens for it, by exchange or otherwise',
      );
    }

    // §2.2.2: an invalid subject token is invalid_request.
    const parsed = parseCredential(params.subject_token);
    if (!parsed || parsed.kind !== 'pat')
      throw new OAuthError('invalid_request', 'subject_token is not a personal access token');
    const { pat, readAt } = await this.readSubjectToken(params.subject_token, parsed, resource.indicator, address);
    if (!pat) {
      await this.audit.record({
        action: 'token.exchange.denied',
        outcome: 'denied',
        actor: { type: 'client', id: clientId },
        address,
        reason: 'subject token inactive',
        details: { aud: resource.indicator, subjectTokenPrefix: parsed.displayPrefix },
      });
      throw new OAuthError(
        'invalid_request',
        'subject_token is not active (unknown, expired, revoked, its owner disabled, or restricted to other resources)',
      );
    }

    const scopes = this.selectScopes(
      pat.scopes,
      grant.scopes.filter((scope) => resource.scopes.includes(scope)),
      params.scope,
      resource.indicator,
    );
    const untilPatExpiry = pat.expiresAt
      ? Math.floor((pat.expiresAt.getTime() - readAt.getTime()) / 1000)
      : Number.POSITIVE_INFINITY;
    const ttlSeconds = Math.min(resource.accessTokenTtl, untilPatExpiry);
    if (ttlSeconds < 1) throw new OAuthError('invalid_request', 'subject_token is about to expire');
    const issued = await this.issuer.issue({
      subject: pat.subject,
      clientId,
      audience: resource.indicator,
      scopes,
      ttlSeconds,
      extraClaims: { pat_id: pat.credentialId, act: { sub: clientId }, ...bound.claims },
      issuedAt: readAt,
    });
    await this.exchangedTokens.record({
      jti: issued.jti,
      clientId,
      subjectCredentialId: pat.credentialId,
      expiresAt: issued.expiresAt,
    });
    await this.audit.record({
      action: 'token.exchanged',
      outcome: 'success',
      actor: { type: 'client', id: clientId },
      credential: { type: 'access_token', id: issued.jti },
      address,
      details: {
        grant: 'token_exchange',
        patId: pat.credentialId,
        userId: pat.userId,
        aud: resource.indicator,
        scope: scopes.join(' '),
        exp: issued.expiresAt.toISOString(),
        ...bound.audit,
      },
    });
    return {
      access_token: issued.token,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: bound.tokenType,
      expires_in: ttlSeconds,
      scope: scopes.join(' '),
    };
  }

  /**
   * The PAT's state at the resource and when it was read: the JWT is dated then (`iat`), never later,
   * so that a change to its owner announced afterwards refuses it. Verifiers refuse exchanged JWTs
   * dated before the owner's last change (milliseconds) and `iat` has whole seconds: in the second of
   * that change, the PAT is read again once the next second has begun (a wait below one second).
   */
  private async readSubjectToken(
    token: string,
    parsed: ParsedCredential,
    resource: string,
    address: string,
  ): Promise<{ pat: ActiveOpaqueCredential | null; readAt: Date }> {
    const verifier = this.opaqueCredentials.verifierFor(parsed);
    for (let attempt = 1; ; attempt++) {
      const readAt = this.clock.now();
      const pat = (await verifier?.introspect(token, resource, address)) ?? null;
      const firstSecondAfterChange = Math.ceil((pat?.exchangedTokensValidAfter?.getTime() ?? 0) / 1000) * 1000;
      if (!pat || readAt.getTime() >= firstSecondAfterChange || attempt > 1) return { pat, readAt };
      await sleep(firstSecondAfterChange - readAt.getTime());
    }
  }

  private async targetResource(indicator: string | undefined): Promise<ResourceEntity> {
    if (indicator === undefined)
      throw new OAuthError('invalid_request', 'resource is required: exchange a PAT for one resource at a time');
    const problem = resourceIndicatorProblem(indicator);
    if (problem) throw new OAuthError('invalid_target', `resource ${problem}`);
    const resource = await this.resources.findByIndicator(indicator);
    if (!resource) throw new OAuthError('invalid_target', 'Unknown resource');
    return resource;
  }

  /** The PAT's effective scopes at the resource that the client may hold there too, narrowed by `scope` if given (RFC 6749 §3.3). */
  private selectScopes(
    patScopes: string[],
    clientScopes: string[],
    scope: string | undefined,
    resource: string,
  ): string[] {
    if (scope === undefined) {
      if (patScopes.length === 0) throw new OAuthError('invalid_scope', `The token grants no scopes on ${resource}`);
      const shared = patScopes.filter((s) => clientScopes.includes(s));
      if (shared.length === 0)
        throw new OAuthError('invalid_scope', `This client is granted none of the token's scopes on ${resource}`);
      return shared;
    }
    const requested = parseScopeParameter(scope);
    if (!requested) throw new OAuthError('invalid_scope', 'The scope parameter is malformed (RFC 6749 §3.3)');
    const beyondToken = requested.filter((s) => !patScopes.includes(s));
    if (beyondToken.length > 0)
      throw new OAuthError(
        'invalid_scope',
        `Scope not granted by this token on the resource: ${beyondToken.join(' ')}`,
      );
    const beyondClient = requested.filter((s) => !clientScopes.includes(s));
    if (beyondClient.length > 0)
      throw new OAuthError(
        'invalid_scope',
        `Scope not granted to this client on the resource: ${beyondClient.join(' ')}`,
      );
    return requested;
  }
}
