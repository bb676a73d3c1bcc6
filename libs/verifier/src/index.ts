// Framework-free: credential verification, RFC 6750 challenges, RFC 9728 metadata, usage and
// revocation. The adapters are subpaths: `@tollgate/verifier/nest` (guard and module),
// `@tollgate/verifier/fastify` (plugin) and `@tollgate/verifier/express` (middleware).
export * from './credential-policy.js';
export * from './credential.verifier.js';
export * from './http/bearer-challenge.js';
export * from './http/credential-location.js';
export * from './http/protected-resource-metadata.js';
export * from './http/request-authentication.js';
export * from './http/sender-constraint.js';
export * from './http/resource-server-options.js';
export * from './jwt/jwt-access-token.verifier.js';
export * from './jwt/remote-key-set.js';
export * from './management-api-tokens.js';
export * from './opaque/introspection-response.js';
export * from './opaque/introspection.verifier.js';
export * from './principal.js';
export * from './remote-authorization-server.js';
export * from './resource-server-verification.js';
export * from './usage/count-responses.js';
export * from './usage/usage-reporter.js';
export * from './metrics/verification-metrics.js';
export * from './verification-error.js';
export * from './revocation/revocation-event.js';
export * from './revocation/revocation-feed.client.js';
export * from './revocation/revocation-list.js';
