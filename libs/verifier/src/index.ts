export * from './nest/decorators.js';
export * from './principal.js';
