import { OAuthError } from '@tollgate/platform';
import type { TokenBinding } from '../../common/token-binding.js';

/** The key a new access token is bound to: the thumbprint of the DPoP proof's key (RFC 9449 §6, `cnf.jkt`). */
export interface DpopBinding {
  jkt: string;
}

/**
 * RFC 9449 §5.2 (`dpop_bound_access_tokens`): a client that requires DPoP, or a resource that only
 * accepts DPoP-bound tokens, never gets a bearer token.
 */
export function assertBindingAllowed(
  client: { requiredBinding: TokenBinding },
  resource: { requiredBinding: TokenBinding },
  binding: DpopBinding | undefined,
): void {
  if (binding) return;
  if (client.requiredBinding === 'dpop')
    throw new OAuthError('invalid_dpop_proof', 'This client gets DPoP-bound tokens only: send a DPoP proof (RFC 9449)');
  if (resource.requiredBinding === 'dpop')
    throw new OAuthError(
      'invalid_dpop_proof',
      'Tokens for this resource are DPoP-bound only: send a DPoP proof (RFC 9449)',
    );
}

/** What the token response and the token say of the binding. */
export function boundToken(binding: DpopBinding | undefined): {
  tokenType: 'Bearer' | 'DPoP';
  claims: { cnf?: { jkt: string } };
  audit: { binding: 'dpop' | 'none' };
} {
  return binding
    ? { tokenType: 'DPoP', claims: { cnf: { jkt: binding.jkt } }, audit: { binding: 'dpop' } }
    : { tokenType: 'Bearer', claims: {}, audit: { binding: 'none' } };
}
