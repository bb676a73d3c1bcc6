/**
 * What an access token is bound to: nothing (a bearer token, RFC 6750), the client's DPoP key
 * (`cnf.jkt`, RFC 9449) or its TLS client certificate (`cnf.x5t#S256`, RFC 8705). A client or a
 * resource may require a binding.
 */
export const TOKEN_BINDINGS = ['none', 'dpop', 'mtls'] as const;
export type TokenBinding = (typeof TOKEN_BINDINGS)[number];
