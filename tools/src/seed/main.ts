import { TollgateApiError } from '@tollgate/api-client';
import { ConfigError } from '@tollgate/platform';
import { loadSeedConfig } from './seed.config.js';
import { SeedError } from './seed-error.js';
import { seedStory } from './seed-story.js';

async function main(): Promise<void> {
  const config = loadSeedConfig();
  await seedStory(config);
  console.log('Seed complete.');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof SeedError || error instanceof TollgateApiError)
    console.error(`✗ seed failed: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
