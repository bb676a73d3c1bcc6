import { startTracing } from '@tollgate/platform/tracing';

// First, and the app only then: the instrumentations patch pg, ioredis and node:http as they are first loaded.
await startTracing('auth-server');
await import('./auth-server.run.js');
