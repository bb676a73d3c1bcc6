export * from './authorization-server-metadata.js';
