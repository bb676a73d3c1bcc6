export * from './error-schemas.js';
export * from './finish-document.js';
export * from './security-schemes.js';
export * from './setup-openapi.js';
