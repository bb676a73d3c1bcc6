import { Injectable } from '@nestjs/common';
import type { CredentialUse } from './credential-usage.js';
import type { CredentialKind, ParsedCredential } from '@tollgate/credentials';
import {
  invalidToken,
  type OpaqueCredentialVerifier,
  type OpaqueIntrospectionResponse,
  principalFromIntrospection,
  type Principal,
  type VerificationContext,
} from '@tollgate/verifier';

/** The state of an active PAT or API key as seen by one resource. */
export interface ActiveOpaqueCredential {
  credentialType: 'pat' | 'api_key';
  credentialId: string;
  subject: string;
  userId?: string;
  consumerId?: string;
  username?: string;
  /** Effective scopes at the resource asked about (at the moment of use: current roles apply). */
  scopes: string[];
  /** Resources the credential may be used at; empty when unrestricted. */
  audience: string[];
  issuedAt: Date;
  expiresAt: Date | null;
  ipAllowlist?: string[];
  /** `bucket`: shared by a key and the key it was rolled from. */
  rateLimit?: { requests: number; perSeconds: number; bucket: string };
  /** A PAT issued by a CLI sign-in (RFC 8628): `device_authorization`. */
  issuedVia?: string | null;
  /** When verifiers were last told its owner changed: they refuse JWTs exchanged for it (RFC 8693) dated before. */
  exchangedTokensValidAfter?: Date | null;
}

/** Verifies one kind of opaque credential (PATs, API keys) against the table that holds it, and answers for it. */
export interface OpaqueCredentialKindVerifier {
  readonly kind: Extract<CredentialKind, 'pat' | 'api_key'>;
  /**
   * The credential's state for `resource`, or null if it is unknown, expired, revoked or its owner
   * disabled (the verifier audits why). The checksum has already been verified.
   */
  introspect(
    token: string,
    resource: string | undefined,
    address: string | null,
  ): Promise<ActiveOpaqueCredential | null>;
  /** Revokes the credential if it exists and is not yet revoked (leak reports); returns its id. */
  revokeByValue(token: string, reason: string, address: string | null): Promise<string | null>;
  /**
   * Why a JWT exchanged for the credential with this record id (RFC 8693, `pat_id`) and carrying
   * `scopes` at `resource` must be refused, null while it is good: the credential was revoked,
   * expired, or its owner disabled or deleted, or it no longer grants all of those scopes there
   * (its owner lost a role). The JWT is checked like the credential itself would be.
   */
  exchangedTokenRefusal?(credentialId: string, resource: string, scopes: readonly string[]): Promise<string | null>;
}

/**
 * The verifiers of PATs and API keys, by credential kind: the PAT and API-key modules register
 * theirs, so introspection, token exchange and leak reports need not import them.
 */
@Injectable()
export class OpaqueCredentialVerifiers {
  private readonly verifiers = new Map<string, OpaqueCredentialKindVerifier>();

  register(verifier: OpaqueCredentialKindVerifier): void {
    this.verifiers.set(verifier.kind, verifier);
  }

  verifierFor(parsed: Pick<ParsedCredential, 'kind'>): OpaqueCredentialKindVerifier | undefined {
    return this.verifiers.get(parsed.kind);
  }
}

export function toIntrospectionResponse(
  credential: ActiveOpaqueCredential,
  issuer: string,
): OpaqueIntrospectionResponse {
  return {
    active: true,
    token_type: 'Bearer',
    credential_type: credential.credentialType,
    credential_id: credential.credentialId,
    sub: credential.subject,
    scope: credential.scopes.join(' '),
    aud: credential.audience,
    iss: issuer,
    iat: Math.floor(credential.issuedAt.getTime() / 1000),
    ...(credential.expiresAt ? { exp: Math.floor(credential.expiresAt.getTime() / 1000) } : {}),
    ...(credential.username ? { username: credential.username } : {}),
    ...(credential.userId ? { user_id: credential.userId } : {}),
    ...(credential.consumerId ? { consumer_id: credential.consumerId } : {}),
    ...(credential.ipAllowlist?.length ? { ip_allowlist: credential.ipAllowlist } : {}),
    ...(credential.issuedVia ? { issued_via: credential.issuedVia } : {}),
    ...(credential.rateLimit
      ? {
          rate_limit: {
            requests: credential.rateLimit.requests,
            per_seconds: credential.rateLimit.perSeconds,
            bucket: credential.rateLimit.bucket,
          },
        }
      : {}),
  };
}

/** Opaque credentials presented to the auth-server's own API: answered by their verifiers, no HTTP hop. */
export class LocalOpaqueVerifier implements OpaqueCredentialVerifier {
  constructor(
    private readonly registry: OpaqueCredentialVerifiers,
    private readonly resource: string,
    private readonly issuer: string,
    /** Told of every accepted use ("last used" of PATs and API keys used on the management API). */
    private readonly onUse?: (use: CredentialUse) => void,
  ) {}

  async verify(token: string, parsed: ParsedCredential, context: VerificationContext): Promise<Principal> {
    const active = await this.registry.verifierFor(parsed)?.introspect(token, this.resource, context.address);
    if (!active) throw invalidToken('The credential is not valid (unknown, expired or revoked)', 'inactive');
    if (active.audience.length > 0 && !active.audience.includes(this.resource))
      throw invalidToken('The credential is not valid for this resource', 'wrong_audience');
    this.onUse?.({
      credentialType: active.credentialType,
      credentialId: active.credentialId,
      at: new Date(),
      address: context.address,
    });
    return principalFromIntrospection(toIntrospectionResponse(active, this.issuer));
  }
}
