export * from './api-clients.js';
export * from './api-error.js';
export type { components as AuthServerSchemas, operations as AuthServerOperations } from './generated/auth-server.js';
export type { components as CrmSchemas } from './generated/service-b.js';
export type { components as MarketingSchemas } from './generated/service-a.js';
