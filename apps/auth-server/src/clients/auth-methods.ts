/** How a client authenticates at the token, introspection and revocation endpoints (RFC 6749 §2.3, RFC 7523, RFC 8705). */
export type TokenEndpointAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth' | 'self_signed_tls_client_auth';

/** Methods whose clients hold keys (registered as a JWK set) and never a secret. */
export const KEYED_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'private_key_jwt',
  'self_signed_tls_client_auth',
];

/** Methods whose clients authenticate with a client secret. */
export const SECRET_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** RFC 8705 §2: methods where the TLS client certificate at the mTLS endpoint authenticates the client. */
export const CERTIFICATE_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'tls_client_auth',
  'self_signed_tls_client_auth',
];
