export * from './tollgate.plugin.js';
