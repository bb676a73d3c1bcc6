export * from './credential.guard.js';
export * from './decorators.js';
export * from './protected-resource-metadata.controller.js';
export * from './verifier.module.js';
