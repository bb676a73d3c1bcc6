import { fastifyCookie } from '@fastify/cookie';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type Logger, Metrics } from '@tollgate/platform';
import { createHttpApp, setupOpenApi } from '@tollgate/platform/http';
import { isDatabaseUnavailable } from '@tollgate/persistence';
import { AuthServerModule, type AuthServerOverrides } from './auth-server.module.js';
import { SCHEME_OF_CREDENTIAL } from './common/allowed-credentials.js';
import type { AuthServerConfig } from './config/auth-server.config.js';
import { OAUTH_SCHEMAS } from './oauth/oauth-schemas.js';
import { REVOCATION_EVENT_SCHEMA } from './revocations/revocation-event.schema.js';
import { MtlsEndpoint } from './oauth/mtls/mtls-endpoint.js';
import { sessionCookieName } from './sessions/session-cookie.js';

export interface CreateAuthServerOptions extends AuthServerOverrides {
  logger?: Logger;
}

/** The auth-server as a Nest application, initialised but not listening. */
export async function createAuthServer(
  config: AuthServerConfig,
  options: CreateAuthServerOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ name: 'auth-server', level: config.logLevel });
  const metrics = options.metrics ?? new Metrics('auth-server');
  const app = await createHttpApp(AuthServerModule.forRoot(config, { ...options, metrics }), {
    logger,
    metrics,
    trustProxy: config.trustProxy,
    oauthPathPrefix: '/oauth/',
    isDatabaseUnavailable,
  });
  // Console sessions (sessions/): request.cookies and reply.setCookie.
  await app.register(fastifyCookie);
  // Management API answers may carry secrets shown once (new keys, tokens, client secrets) or other
  // private data: no cache, shared or private, may keep them (RFC 9111 §5.2.2.5).
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
        reply.header('cache-control', 'no-store');
    });
  if (config.openApi) {
    setupOpenApi(app, {
      title: 'Tollgate auth-server',
      description:
        'OAuth 2.0 authorization server (client credentials, introspection, revocation, token exchange) and the management API for clients, API keys, personal access tokens and audit.',
      serverUrl: config.issuer,
      bearerCredentials: ['accessToken', 'personalAccessToken', 'consoleSession'],
      credentialSchemes: SCHEME_OF_CREDENTIAL,
      sessionCookie: sessionCookieName(config.sessions.secureCookie),
      oauthPathPrefix: '/oauth/',
      schemas: { ...OAUTH_SCHEMAS, RevocationEvent: REVOCATION_EVENT_SCHEMA },
    });
  }
  try {
    await app.init();
    await app.get(MtlsEndpoint).listen();
  } catch (error) {
    // A failed start (e.g. a wrong KEY_ENCRYPTION_SECRET) must not leave the database pool open.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
