/**
 * What an access token is bound to: nothing (a bearer token, RFC 6750) or the client's DPoP key
 * (`cnf.jkt`, RFC 9449). A client or a resource may require a binding.
 */
export const TOKEN_BINDINGS = ['none', 'dpop'] as const;
export type TokenBinding = (typeof TOKEN_BINDINGS)[number];
