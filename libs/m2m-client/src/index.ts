export * from './authorization-server-metadata.js';
export * from './authorized-fetch.js';
export * from './client-certificate-fetch.js';
export * from './client-credentials-token-provider.js';
export * from './internal-issuer-url.js';
export * from './token-errors.js';
export { describeFetchFailure, isTimeout } from './fetch-helpers.js';
