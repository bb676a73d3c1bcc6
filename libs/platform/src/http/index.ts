// `@tollgate/platform/http`: the HTTP apps' Nest-on-Fastify layer (app factory and runner, RFC 9457
// and RFC 6749 error answers, OpenAPI). Kept out of `@tollgate/platform` so that processes without
// an HTTP app (the MQTT broker, the device simulator) load neither Nest nor Fastify.
export * from './create-http-app.js';
export * from './errors/oauth.error.js';
export * from './errors/problem-details.filter.js';
export * from './errors/problem.exception.js';
export * from './openapi/index.js';
export * from './run-http-app.js';
