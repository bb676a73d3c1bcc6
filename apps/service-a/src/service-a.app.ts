import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type Logger, Metrics } from '@tollgate/platform';
import { createHttpApp, setupOpenApi } from '@tollgate/platform/http';
import { isDatabaseUnavailable } from '@tollgate/persistence';
import { countResponses, ResourceServerVerification } from '@tollgate/verifier';
import type { ServiceAConfig } from './config/service-a.config.js';
import { ServiceAModule } from './service-a.module.js';

export interface CreateServiceAOptions {
  logger?: Logger;
  /** How callers are verified; serviceAVerification(config) by default (tests may give one without the revocation feed). */
  verification?: ResourceServerVerification;
  /** Where its Prometheus series go (main.ts serves them at METRICS_PORT). */
  metrics?: Metrics;
}

/**
 * How service-a verifies its callers: JWT access tokens for its own resource, checked locally
 * against the auth-server's JWKS, and the revocation feed (its client is granted
 * `revocations:read`), so a revoked token or a retired key is refused here too. PATs and API keys
 * are not accepted: its callers are services, and its client needs no `tokens:introspect`.
 */
export function serviceAVerification(
  config: ServiceAConfig,
  logger: Logger,
  metrics?: Metrics,
): ResourceServerVerification {
  const { issuer, internalUrl, clientId, clientSecret, authMethod, resourceIndicator } = config.auth;
  return new ResourceServerVerification({
    issuer,
    internalUrl,
    resource: resourceIndicator,
    client: { id: clientId, secret: clientSecret, authMethod },
    acceptOpaque: false,
    metrics,
    onBackgroundError: (error) => logger.warn({ err: error }, 'following the revocation feed failed; will retry'),
  });
}

/** service-a, the email-marketing service, ready to listen (not listening yet). */
export async function createServiceA(
  config: ServiceAConfig,
  options: CreateServiceAOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ name: 'service-a', level: config.logLevel });
  const metrics = options.metrics ?? new Metrics('service-a');
  const verification = options.verification ?? serviceAVerification(config, logger, metrics);
  const app = await createHttpApp(ServiceAModule.forRoot(config, verification), {
    logger,
    trustProxy: config.trustProxy,
    isDatabaseUnavailable,
    metrics,
  });
  countResponses(app.getHttpAdapter().getInstance(), verification);
  setupOpenApi(app, {
    title: 'Tollgate service-a',
    description:
      'Email-marketing service: syncs its audience from the CRM (service-b) with an M2M client-credentials token. Its own API takes M2M access tokens for its resource: reading the audience needs `audience:read`, syncing `audience:sync`.',
    bearerCredentials: ['accessToken'],
  });
  return app;
}
