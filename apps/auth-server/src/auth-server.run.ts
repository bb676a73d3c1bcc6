import { describeDatabase } from '@tollgate/persistence';
import { runHttpApp } from '@tollgate/platform/http';
import { createAuthServer } from './auth-server.app.js';
import { loadAuthServerConfig } from './config/auth-server.config.js';

runHttpApp({
  name: 'auth-server',
  loadConfig: loadAuthServerConfig,
  create: createAuthServer,
  listening: (config, url) => ({
    message: `auth-server listening on ${url}`,
    fields: { url, issuer: config.issuer, database: describeDatabase(config.database) },
  }),
});
