import { OAuthError } from '@tollgate/platform/http';
import type { FormParameters } from '../oauth/form-parameters.js';
import { PUBLIC_CLIENT_IDS } from './public-clients.js';

/**
 * The client of a device-grant request, identified by `client_id` alone (RFC 8628 §3.1; RFC 6749
 * §2.3 for public clients). Only the public clients use the grant (the CLI, device pairing): a
 * request that names another client, or that carries a credential (a public client has none), is refused.
 */
export function deviceGrantClient(authorization: string | undefined, params: FormParameters): string {
  if (authorization || params.client_secret || params.client_assertion)
    throw new OAuthError(
      'invalid_client',
      `The device grant is for public clients (${PUBLIC_CLIENT_IDS.join(', ')}): send client_id and no credential`,
      401,
    );
  if (!params.client_id) throw new OAuthError('invalid_client', 'client_id is required', 401);
  if (!PUBLIC_CLIENT_IDS.includes(params.client_id))
    throw new OAuthError('unauthorized_client', `Only ${PUBLIC_CLIENT_IDS.join(' and ')} may use the device grant`);
  return params.client_id;
}
