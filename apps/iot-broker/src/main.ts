import { startTracing } from '@tollgate/platform/tracing';
import { turnOffPretenuring } from './runtime/pretenuring.js';

// Before the first connection: under connection churn pretenuring costs more than it saves.
turnOffPretenuring();
// First, and the app only then: the instrumentations patch pg, ioredis and node:http as they are first loaded.
await startTracing('iot-broker');
await import('./iot-broker.run.js');
