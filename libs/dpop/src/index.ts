export * from './dpop-key.js';
export * from './dpop-nonces.js';
export * from './dpop-proof.js';
export * from './dpop-replay-cache.js';
