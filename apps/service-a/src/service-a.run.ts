import 'reflect-metadata';
import { describeDatabase } from '@tollgate/persistence';
import { runHttpApp } from '@tollgate/platform/http';
import { loadServiceAConfig } from './config/service-a.config.js';
import { createServiceA } from './service-a.app.js';

runHttpApp({
  name: 'service-a',
  loadConfig: loadServiceAConfig,
  create: createServiceA,
  listening: (config, url) => {
    const schedule =
      config.syncIntervalSeconds > 0 ? `every ${config.syncIntervalSeconds} s` : 'on demand only (POST /sync)';
    return {
      message: `service-a listening on ${url} (OpenAPI at ${url}/docs); audience from ${config.serviceB.url} synced ${schedule}; authorization server ${config.auth.issuer}; ${describeDatabase(config.database)}`,
    };
  },
});
