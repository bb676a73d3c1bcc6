// Framework-free: what every process needs (configuration, logging, metrics, Redis, shutdown,
// tracing), loaded by the MQTT broker and the device simulator as by the HTTP apps. The Nest and
// Fastify HTTP app (its factory, error filter, OpenAPI) is `@tollgate/platform/http`.
export * from './clock.js';
export * from './config/config-files.js';
export * from './config/env-pieces.js';
export * from './config/env-rules.js';
export * from './config/load-env.js';
export * from './errors/problem-body.js';
export * from './lifecycle/shutdown.js';
export * from './logging/logger.js';
export * from './logging/redact-secrets.js';
export * from './metrics/index.js';
export * from './redis/redis-connections.js';
export * from './tracing/index.js';
