import type { CredentialType, Principal } from '../principal.js';

/**
 * The RFC 7662 response Tollgate's auth-server gives for an active PAT or API key. Beyond the
 * standard members (`active`, `sub`, `scope`, `aud`, `iat`, `exp`, `username`) it names the
 * credential and carries the policy a resource server must enforce on every request.
 */
export interface OpaqueIntrospectionResponse {
  active: true;
  token_type: 'Bearer';
  credential_type: Extract<CredentialType, 'pat' | 'api_key'>;
  credential_id: string;
  sub: string;
  /** Effective scopes for the resource named in the introspection request. */
  scope: string;
  /** Resources the credential may be used at; empty when unrestricted. */
  aud: string[];
  iss: string;
  iat: number;
  exp?: number;
  username?: string;
  user_id?: string;
  consumer_id?: string;
  ip_allowlist?: string[];
  /** `bucket`: the rate-limit bucket of the key's lineage (a rolled key keeps its predecessor's). */
  rate_limit?: { requests: number; per_seconds: number; bucket?: string };
  /** How a PAT was issued when not in account settings: `device_authorization` (a CLI sign-in, RFC 8628). */
  issued_via?: string;
}

export function principalFromIntrospection(response: OpaqueIntrospectionResponse): Principal {
  const constraints =
    response.ip_allowlist || response.rate_limit
      ? {
          ...(response.ip_allowlist ? { ipAllowlist: response.ip_allowlist } : {}),
          ...(response.rate_limit
            ? {
                rateLimit: {
                  requests: response.rate_limit.requests,
                  perSeconds: response.rate_limit.per_seconds,
                  ...(response.rate_limit.bucket ? { bucket: response.rate_limit.bucket } : {}),
                },
              }
            : {}),
        }
      : undefined;
  return {
    credentialType: response.credential_type,
    credentialId: response.credential_id,
    subject: response.sub,
    userId: response.user_id,
    consumerId: response.consumer_id,
    username: response.username,
    scopes: new Set(response.scope ? response.scope.split(' ') : []),
    audience: response.aud,
    issuedAt: new Date(response.iat * 1000),
    expiresAt: response.exp ? new Date(response.exp * 1000) : undefined,
    constraints,
    ...(response.issued_via ? { issuedVia: response.issued_via } : {}),
  };
}
