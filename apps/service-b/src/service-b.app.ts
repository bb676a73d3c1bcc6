import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type Logger, Metrics } from '@tollgate/platform';
import { createHttpApp, setupOpenApi } from '@tollgate/platform/http';
import { isDatabaseUnavailable } from '@tollgate/persistence';
import { countResponses, ResourceServerVerification } from '@tollgate/verifier';
import type { ServiceBConfig } from './config/service-b.config.js';
import { ServiceBModule } from './service-b.module.js';

/** The CRM API, assembled but not listening (tests listen on port 0, main.ts on the configured port). */
export interface CreateServiceBOptions {
  logger?: Logger;
  /** false: no authentication at all (benchmark baseline only; not reachable from configuration). */
  authentication?: boolean;
  /** Clock for introspection caches and rate limits (tests). */
  now?: () => number;
  /** How usage reports are batched (tests: force the queue bound; not reachable from configuration). */
  usageReports?: { maxPending?: number; flushIntervalMs?: number };
  /** Where its Prometheus series go (main.ts serves them at METRICS_PORT). */
  metrics?: Metrics;
}

/** How service-b verifies credentials: JWTs locally, PATs and API keys by introspection, usage reported back. */
export function serviceBVerification(
  config: ServiceBConfig,
  logger: Logger,
  options: Pick<CreateServiceBOptions, 'now' | 'usageReports' | 'metrics'> = {},
): ResourceServerVerification {
  return new ResourceServerVerification({
    issuer: config.auth.issuer,
    internalUrl: config.auth.internalUrl,
    resource: config.auth.resourceIndicator,
    client: config.auth.client,
    introspectionCacheTtlMs: config.auth.introspectionCacheSeconds * 1000,
    maxFeedStalenessMs: config.auth.revocationFeedMaxStalenessSeconds * 1000,
    acceptedKeyEnvironments: config.auth.acceptedKeyEnvironments,
    redisUrl: config.redisUrl,
    usageMaxPending: options.usageReports?.maxPending,
    usageFlushIntervalMs: options.usageReports?.flushIntervalMs,
    metrics: options.metrics,
    logger,
    onBackgroundError: (error) =>
      logger.warn({ err: error }, 'reporting usage or following the revocation feed failed; will retry'),
    onUsageDropped: (reason) => logger.warn(`usage records dropped: ${reason} (the count is in /health)`),
    now: options.now,
  });
}

export async function createServiceB(
  config: ServiceBConfig,
  options: CreateServiceBOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger({ name: 'service-b', level: config.logLevel });
  const metrics = options.metrics ?? new Metrics('service-b');
  const verification =
    options.authentication === false ? null : serviceBVerification(config, logger, { ...options, metrics });
  const app = await createHttpApp(ServiceBModule.forRoot(config, { verification }), {
    logger,
    trustProxy: config.trustProxy,
    isDatabaseUnavailable,
    metrics,
  });
  if (verification) countResponses(app.getHttpAdapter().getInstance(), verification);
  if (config.openApi) {
    setupOpenApi(app, {
      title: 'Tollgate CRM (service-b)',
      description:
        'Contacts of the CRM. Accepts M2M access tokens, personal access tokens and API keys; reads need `contacts:read`, writes `contacts:write`.',
      bearerCredentials: ['accessToken', 'personalAccessToken', 'apiKey', 'apiKeyHeader'],
    });
  }
  return app;
}
