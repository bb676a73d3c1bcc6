import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { HttpServerSettings } from '../config/env-pieces.js';
import { httpAppShutdownSteps, listenOrExplain } from './create-http-app.js';
import { createLogger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { type MetricsListener, startMetricsListener } from '../metrics/metrics-listener.js';
import { exitOnShutdownSignals } from '../lifecycle/shutdown.js';

/** One HTTP app as its `main.ts` describes it to `runHttpApp`. */
export interface HttpAppEntry<Config extends HttpServerSettings> {
  /** The logger's name. */
  name: string;
  loadConfig: () => Config;
  create: (config: Config, options: { logger: Logger; metrics: Metrics }) => Promise<NestFastifyApplication>;
  /** What to log once it listens at `url`: a line for people and fields for machines. */
  listening: (config: Config, url: string) => { message: string; fields?: Record<string, unknown> };
}

/**
 * The whole `main` of an HTTP app: reads its configuration, creates it with a pino logger, shuts it
 * down in order on SIGTERM or SIGINT, listens (a port in use is explained by its variable, `PORT`)
 * and logs where. A failure on the way is printed as its message alone (a bad variable, a port in use,
 * an unwritable DATA_DIR: each says what to change) and exits with 1, after closing what was opened.
 */
export function runHttpApp<Config extends HttpServerSettings>(entry: HttpAppEntry<Config>): void {
  start(entry).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

async function start<Config extends HttpServerSettings>(entry: HttpAppEntry<Config>): Promise<void> {
  const config = entry.loadConfig();
  const logger = createLogger({ name: entry.name, level: config.logLevel });
  const metrics = new Metrics(entry.name);
  const app = await entry.create(config, { logger, metrics });
  let metricsListener: MetricsListener | undefined;
  exitOnShutdownSignals({
    logger,
    steps: [...httpAppShutdownSteps(app), { name: 'metrics listener', run: async () => metricsListener?.close() }],
  });
  let url: string;
  try {
    url = await listenOrExplain(app, { port: config.port, host: config.host, portVariable: 'PORT' });
    if (config.metrics) metricsListener = await startMetricsListener(metrics, config.metrics);
  } catch (error) {
    await app.close();
    throw error;
  }
  const { message, fields = {} } = entry.listening(config, url);
  logger.info({ ...fields, ...(metricsListener && { metrics: metricsListener.url }) }, message);
}
