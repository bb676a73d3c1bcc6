// service-b for the benchmark, configured from the environment like its main.ts. With
// --no-authentication it serves the same routes without credential verification, through the
// override that deliberately has no environment variable: the baseline of serviceBJwt.
import { ConfigError, createLogger } from '@tollgate/platform';
import { loadServiceBConfig } from '../../../apps/service-b/src/config/service-b.config.js';
import { createServiceB } from '../../../apps/service-b/src/service-b.app.js';

async function main(): Promise<void> {
  const config = loadServiceBConfig();
  const authentication = !process.argv.includes('--no-authentication');
  const app = await createServiceB(config, {
    authentication,
    logger: createLogger({ name: 'service-b', level: config.logLevel }),
  });
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
