export * from './base62.js';
export * from './credential-format.js';
export * from './credential-hash.js';
export * from './management-scopes.js';
