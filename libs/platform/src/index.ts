export * from './clock.js';
export * from './config/load-env.js';
export * from './errors/oauth.error.js';
export * from './errors/problem-details.filter.js';
export * from './errors/problem.exception.js';
export * from './http/create-http-app.js';
export * from './http/openapi.js';
export * from './logging/logger.js';
