import { describeDatabase } from '@tollgate/persistence';
import { runHttpApp } from '@tollgate/platform/http';
import { loadServiceBConfig } from './config/service-b.config.js';
import { createServiceB } from './service-b.app.js';

runHttpApp({
  name: 'service-b',
  loadConfig: loadServiceBConfig,
  create: createServiceB,
  listening: (config, url) => ({
    message: `CRM API listening on ${url} (${describeDatabase(config.database)}; audience ${config.auth.resourceIndicator})`,
  }),
});
