export * from './jwt/jwt-access-token.verifier.js';
export * from './jwt/remote-key-set.js';
export * from './nest/decorators.js';
export * from './principal.js';
export * from './verification-error.js';
