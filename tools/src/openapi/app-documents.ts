import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '@tollgate/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthServer } from '../../../apps/auth-server/src/auth-server.app.js';
import { loadAuthServerConfig } from '../../../apps/auth-server/src/config/auth-server.config.js';
import { loadServiceAConfig } from '../../../apps/service-a/src/config/service-a.config.js';
import { createServiceA } from '../../../apps/service-a/src/service-a.app.js';
import { loadServiceBConfig } from '../../../apps/service-b/src/config/service-b.config.js';
import { createServiceB } from '../../../apps/service-b/src/service-b.app.js';

export type AppName = 'auth-server' | 'service-b' | 'service-a';
export const APP_NAMES: AppName[] = ['auth-server', 'service-b', 'service-a'];

/** The issuer the published documents name in `servers` (the demo's, see README); a running auth-server serves its own. */
export const DOCUMENTED_ISSUER = 'http://localhost:7400';
/** Nothing listens here: the services' background work (revocation feed, JWKS) fails quietly while the document is read. */
const UNREACHABLE_ISSUER = 'http://127.0.0.1:9';
const SERVICE_SECRET = 'openapi-document-secret-0123456789abcdef';

/**
 * The OpenAPI document an app serves at /docs/json, read from the app itself (created on a throwaway
 * SQLite database, never listening), so what is published is exactly what runs.
 */
export async function appDocument(name: AppName): Promise<object> {
  const dataDir = mkdtempSync(join(tmpdir(), `tollgate-openapi-${name}-`));
  const logger = createLogger({ name, level: process.env.LOG_LEVEL ?? 'silent' });
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApp(name, dataDir, logger);
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs/json' });
    if (response.statusCode !== 200) throw new Error(`${name} answered ${response.statusCode} for /docs/json`);
    return response.json() as object;
  } finally {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function createApp(
  name: AppName,
  dataDir: string,
  logger: ReturnType<typeof createLogger>,
): Promise<NestFastifyApplication> {
  const database = { DATA_DIR: dataDir };
  switch (name) {
    case 'auth-server':
      return createAuthServer(
        loadAuthServerConfig({
          AUTH_ISSUER: DOCUMENTED_ISSUER,
          KEY_ENCRYPTION_SECRET: SERVICE_SECRET,
          BOOTSTRAP_ADMIN_CLIENT_ID: 'openapi-admin',
          BOOTSTRAP_ADMIN_CLIENT_SECRET: SERVICE_SECRET,
          OPENAPI_ENABLED: 'true',
          ...database,
        }),
        { logger },
      );
    case 'service-b': {
      const config = loadServiceBConfig({
        AUTH_ISSUER: UNREACHABLE_ISSUER,
        CLIENT_ID: 'service-b',
        CLIENT_SECRET: SERVICE_SECRET,
        ...database,
      });
      const app = await createServiceB(config, { logger });
      await app.init();
      return app;
    }
    case 'service-a': {
      const config = loadServiceAConfig({
        AUTH_ISSUER: UNREACHABLE_ISSUER,
        CLIENT_ID: 'service-a',
        CLIENT_SECRET: SERVICE_SECRET,
        SERVICE_B_URL: 'http://127.0.0.1:9',
        ...database,
      });
      const app = await createServiceA(config, { logger });
      await app.init();
      return app;
    }
  }
}
