import { startTracing } from '@tollgate/platform/tracing';

// First, and the app only then: the instrumentations patch pg, ioredis and node:http as they are first loaded.
await startTracing('iot-broker');
await import('./iot-broker.run.js');
