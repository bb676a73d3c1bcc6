export * from './base62.js';
export * from './credential-format.js';
export * from './credential-hash.js';
