export * from './tollgate.middleware.js';
