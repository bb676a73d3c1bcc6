export * from './create-data-source.js';
export * from './database-config.js';
export * from './database-errors.js';
export * from './run-migrations.js';
export * from './migration-helpers.js';
export * from './serial-primary-column.js';
export * from './timestamp-column.js';
export * from './unique-violation.js';
