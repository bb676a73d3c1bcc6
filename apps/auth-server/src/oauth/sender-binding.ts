import { OAuthError } from '@tollgate/platform/http';
import type { TokenBinding } from '../common/token-binding.js';

/**
 * What a new access token is bound to (RFC 7800 `cnf`): the key of the request's DPoP proof
 * (`jkt`, RFC 9449 §6) or the client certificate of its TLS connection (`x5t#S256`, RFC 8705 §3.1).
 */
export type SenderBinding = { kind: 'dpop'; jkt: string } | { kind: 'mtls'; x5tS256: string };

/** A token request refused for the binding its client or resource requires (audited as such). */
export class BindingRefusal extends OAuthError {}

type Refusal = [error: 'invalid_dpop_proof' | 'invalid_request', description: string];

const REFUSALS: Record<Exclude<TokenBinding, 'none'>, { client: Refusal; resource: Refusal }> = {
  dpop: {
    client: ['invalid_dpop_proof', 'This client gets DPoP-bound tokens only: send a DPoP proof (RFC 9449)'],
    resource: ['invalid_dpop_proof', 'Tokens for this resource are DPoP-bound only: send a DPoP proof (RFC 9449)'],
  },
  mtls: {
    client: [
      'invalid_request',
      'This client gets certificate-bound tokens only: ask at the mTLS token endpoint (mtls_endpoint_aliases) with its certificate (RFC 8705)',
    ],
    resource: [
      'invalid_request',
      'Tokens for this resource are certificate-bound only: ask at the mTLS token endpoint (mtls_endpoint_aliases) with a client certificate (RFC 8705)',
    ],
  },
};

/**
 * RFC 9449 §5.2 (`dpop_bound_access_tokens`) and RFC 8705 §3: a client that requires a binding, or a
 * resource that only accepts bound tokens, never gets a token without that binding.
 */
export function assertBindingAllowed(
  client: { requiredBinding: TokenBinding },
  resource: { requiredBinding: TokenBinding },
  binding: SenderBinding | undefined,
): void {
  for (const [who, required] of [
    ['client', client.requiredBinding],
    ['resource', resource.requiredBinding],
  ] as const) {
    if (required !== 'none' && binding?.kind !== required) {
      const [error, description] = REFUSALS[required][who];
      throw new BindingRefusal(error, description);
    }
  }
}

/** What the token response and the token say of the binding (RFC 8705 tokens stay `Bearer`). */
export function boundToken(binding: SenderBinding | undefined): {
  tokenType: 'Bearer' | 'DPoP';
  claims: { cnf?: { jkt: string } | { 'x5t#S256': string } };
  audit: { binding: TokenBinding };
} {
  if (binding?.kind === 'dpop')
    return { tokenType: 'DPoP', claims: { cnf: { jkt: binding.jkt } }, audit: { binding: 'dpop' } };
  if (binding?.kind === 'mtls')
    return { tokenType: 'Bearer', claims: { cnf: { 'x5t#S256': binding.x5tS256 } }, audit: { binding: 'mtls' } };
  return { tokenType: 'Bearer', claims: {}, audit: { binding: 'none' } };
}
