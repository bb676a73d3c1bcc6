import 'reflect-metadata';
import { ConfigError } from '@tollgate/platform';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchJson } from '../seed/http-json.js';
import { SeedError } from '../seed/seed-error.js';
import { SEED_SECRET_NAMES, loadSeedConfig } from '../seed/seed.config.js';
import { seedStory } from '../seed/seed-story.js';
import { ConsoleOutput, displayPath } from './console-output.js';
import {
  CRM_RESOURCE,
  DEMO_CLIENT_IDS,
  DEMO_SECRET_NAMES,
  DEMO_ADMIN,
  type DemoConfig,
  type DemoSecretName,
  IOT_RESOURCE,
  loadDemoConfig,
  MARKETING_RESOURCE,
} from './demo.config.js';
import {
  ensureDemoAdmin,
  ensureDemoHelperClients,
  ensureSampleContacts,
  forgetPairedThermostat,
} from './demo-fixtures.js';
import { loadDemoSecrets } from './demo-secrets.js';
import { DemoCertificates } from './demo-certificates.js';
import { demoServices, newThermostatKeyFile } from './demo-services.js';
import { busyPorts } from './ports.js';
import { ServiceFailedError, ServiceSupervisor } from './processes/service-supervisor.js';
import { type DemoContext, runStories, type StepResult, summaryLines } from './story.js';
import { DEMO_STORIES } from './stories/demo-stories.js';

// dist/tools/tools/src/demo/main.js → the repository root.
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const PRELOAD = new URL('./processes/exit-with-parent.js', import.meta.url).href;

const out = new ConsoleOutput();

async function main(): Promise<void> {
  const config = loadDemoConfig(process.argv.slice(2));
  const busy = await busyPorts(config.ports, config.host);
  if (busy.length > 0) {
    out.always('✗ The demo cannot start: a port it needs is taken (nothing was started).');
    for (const { port, problem, variable } of busy)
      out.always(`  - port ${port} on ${config.host} ${problem}: set ${variable} to a free port`);
    out.always(
      `  For example: ${busy.map(({ port, variable }) => `${variable}=${port + 10_000 <= 65_535 ? port + 10_000 : port - 1_000}`).join(' ')} npm run demo`,
    );
    process.exit(1);
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secrets = loadDemoSecrets(config.secretsFile, DEMO_SECRET_NAMES, config.secretOverrides).values;
  const certificates = await DemoCertificates.create(config.dataDir);
  const services = demoServices(config, secrets, ROOT, certificates.files);
  const missing = Object.values(services)
    .map((service) => service.entry)
    .filter((entry) => !existsSync(entry));
  if (missing.length > 0)
    throw new SeedError(
      `${displayPath(missing[0])} is missing: run \`npm run build\` first (\`npm run demo\` builds when needed)`,
    );

  const supervisor = new ServiceSupervisor({ cwd: ROOT, logDir: config.logDir, preload: PRELOAD });
  const shutdown = installShutdown(supervisor);

  out.line(
    `Tollgate demo${config.once ? ' (--once)' : ''}: every service is its own process on the embedded default (SQLite, no Redis)`,
  );
  out.line(
    `  data in ${displayPath(config.dataDir)}, secrets in ${displayPath(config.secretsFile)} (0600), logs in ${displayPath(config.logDir)}/<service>.log`,
  );

  try {
    const { results, credentials, tokenEndpoint, managementApi } = await Promise.race([
      runDemo(config, secrets, supervisor, services, certificates),
      supervisor.failure,
    ]);
    const failed = results.filter((result) => !result.passed);
    out.line('');
    for (const line of summaryLines(results)) out.line(line);
    if (failed.length > 0) out.line(`  The services' logs are in ${displayPath(config.logDir)}.`);
    if (config.once) return await shutdown(failed.length === 0 ? 0 : 1);
    printExploration(config, secrets, {
      credentials,
      tokenEndpoint,
      managementApi,
      allPassed: failed.length === 0,
      consoleUp: await consoleAvailable(config),
    });
    await supervisor.failure;
  } catch (error) {
    // Muted when Ctrl-C is already stopping everything: services ending then are no news.
    out.line('');
    out.line(`✗ ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

/** Starts the services, seeds the story and runs every story: one result per step, plus what the exploration notes need. */
async function runDemo(
  config: DemoConfig,
  secrets: Record<DemoSecretName, string>,
  supervisor: ServiceSupervisor,
  services: ReturnType<typeof demoServices>,
  certificates: DemoCertificates,
): Promise<{
  results: StepResult[];
  credentials: DemoContext['credentials'];
  tokenEndpoint: string;
  managementApi: string;
}> {
  const started = (name: string, detail: string) => out.line(`  ✓ ${name.padEnd(11)} ${detail}`);

  out.line('');
  out.line('Starting the authorization server');
  started('auth-server', await supervisor.start(services.authServer));

  out.line('');
  out.line('Seeding the story (the seed library, as `npm run seed` does in docker-compose)');
  const ids = DEMO_CLIENT_IDS;
  const indent = (line: string) => out.line(`  ${line}`);
  // The seed's configuration, read by its own loader from the variables docker-compose would give it.
  const seedEnv = {
    AUTH_ISSUER: config.urls.issuer,
    BOOTSTRAP_ADMIN_CLIENT_ID: config.adminClientId,
    CRM_RESOURCE,
    IOT_RESOURCE,
    MARKETING_RESOURCE,
    SERVICE_A_CLIENT_ID: ids.serviceA,
    SERVICE_B_CLIENT_ID: ids.serviceB,
    IOT_BROKER_CLIENT_ID: ids.iotBroker,
    THERMOSTAT_CLIENT_ID: ids.thermostat,
    HUB_CLIENT_ID: ids.hub,
    SEED_WAIT_SECONDS: '30',
    ...Object.fromEntries(SEED_SECRET_NAMES.map((name) => [name, secrets[name]])),
  };
  // The demo owns its data folder: a story client left disabled by an interrupted run is enabled again.
  const seeded = await seedStory(loadSeedConfig(seedEnv), { log: indent, enableDisabled: true });
  out.line('');
  out.line('The demo’s own helpers (not part of the seed)');
  await ensureDemoHelperClients(seeded.api, secrets, indent);
  await ensureDemoAdmin(seeded.api, secrets, indent);
  await forgetPairedThermostat(seeded.api, config, indent);

  out.line('');
  out.line('Starting the services');
  await Promise.all(
    (['serviceB', 'serviceA', 'iotBroker'] as const).map(async (name) =>
      started(services[name].name, await supervisor.start(services[name])),
    ),
  );
  const contacts = await ensureSampleContacts(seeded.api, config, secrets);
  indent(
    `✓ CRM sample data: ${contacts.total} contacts (${contacts.created} created now, written with the demo's ${ids.crmSampleData} client and its contacts:write token)`,
  );

  const context: DemoContext = {
    config,
    admin: seeded.api,
    ids,
    secrets,
    consoleAdmin: { email: DEMO_ADMIN, password: secrets.DEMO_ADMIN_PASSWORD },
    consumer: seeded.consumer,
    sampleContacts: contacts.total,
    startDevice: (device) => supervisor.start(services[device], 30_000),
    certificates,
    credentials: [],
  };
  const results = await runStories(DEMO_STORIES, context, (line) => out.line(line));
  return {
    results,
    credentials: context.credentials,
    tokenEndpoint: seeded.api.metadata.token_endpoint,
    managementApi: seeded.api.managementApi,
  };
}

interface ExplorationNotes {
  credentials: DemoContext['credentials'];
  tokenEndpoint: string;
  /** The management API's resource indicator, from the metadata. */
  managementApi: string;
  allPassed: boolean;
  consoleUp: boolean;
}

function printExploration(
  config: DemoConfig,
  secrets: Record<DemoSecretName, string>,
  { credentials, tokenEndpoint, managementApi, allPassed, consoleUp }: ExplorationNotes,
): void {
  const { urls } = config;
  const apiKey = credentials.find((credential) => credential.label === 'API key');
  const row = (label: string, value: string) => out.line(`  ${label.padEnd(17)} ${value}`);
  out.line('');
  out.line(`Tollgate is running${allPassed ? '' : ' (with failed steps, see above)'}. Explore:`);
  row('web console', `${urls.issuer}/console${consoleUp ? '' : ' (not part of this build yet)'}`);
  row('auth-server API', `${urls.issuer}/docs (OpenAPI; management API under /api)`);
  row('CRM (service-b)', `${urls.serviceB}/docs`);
  row(
    'service-a',
    `${urls.serviceA}/audience (a token for ${MARKETING_RESOURCE}; POST /sync to sync again; OpenAPI at /docs)`,
  );
  row('MQTT', `${urls.mqtt}, ${urls.mqttWs} (health: ${urls.brokerHealth})`);
  row(
    'MQTT over TLS',
    `${urls.mqtts} (device certificates from the demo CA, ${displayPath(join(config.dataDir, 'tls', 'ca.crt'))}); mTLS token endpoint ${urls.authServerMtls}/oauth/token`,
  );
  out.line('');
  out.line(`Demo credentials (local only; every secret is in ${displayPath(config.secretsFile)}):`);
  row('admin client', `${config.adminClientId} / ${secrets.BOOTSTRAP_ADMIN_CLIENT_SECRET}`);
  row('console admin', `${DEMO_ADMIN} / ${secrets.DEMO_ADMIN_PASSWORD} (sign in to the web console as an admin)`);
  for (const credential of credentials)
    row(credential.label, credential.note ? `${credential.value} (${credential.note})` : credential.value);
  row(
    'devices',
    `${DEMO_CLIENT_IDS.thermostat} (thermostat), ${DEMO_CLIENT_IDS.hub} (hub), ${DEMO_CLIENT_IDS.newThermostat} (paired in the demo, its key in ${displayPath(newThermostatKeyFile(config))}); ${DEMO_CLIENT_IDS.dashboard} reads every device`,
  );
  out.line('');
  out.line('Try:');
  if (apiKey) out.line(`  curl -H 'X-API-Key: ${apiKey.value}' ${urls.serviceB}/contacts`);
  out.line(
    `  curl -u '${config.adminClientId}:${secrets.BOOTSTRAP_ADMIN_CLIENT_SECRET}' -d grant_type=client_credentials -d resource=${managementApi} ${tokenEndpoint}`,
  );
  out.line(
    `  TOKEN=$(curl -s -u '${DEMO_CLIENT_IDS.campaignTool}:${secrets.CAMPAIGN_TOOL_CLIENT_SECRET}' -d grant_type=client_credentials -d resource=${MARKETING_RESOURCE} ${tokenEndpoint} | jq -r .access_token); curl -H "Authorization: Bearer $TOKEN" ${urls.serviceA}/audience`,
  );
  out.line(`  curl ${urls.brokerHealth}`);
  out.line('');
  out.line(`Logs: ${displayPath(config.logDir)}/<service>.log. Press Ctrl-C to stop everything.`);
}

async function consoleAvailable(config: DemoConfig): Promise<boolean> {
  try {
    const response = await fetchJson(`${config.urls.issuer}/console`, { timeoutMs: 2_000 });
    return response.status < 400;
  } catch {
    return false;
  }
}

/**
 * Ctrl-C / SIGTERM stop every service (SIGTERM to each process group, SIGKILL after a timeout)
 * before the demo exits; a second Ctrl-C kills them at once. Whatever ends the demo, its 'exit'
 * handler kills what is left, and each service also stops when the demo's process is gone.
 */
function installShutdown(supervisor: ServiceSupervisor): (code: number) => Promise<never> {
  let stopping: Promise<never> | undefined;
  const shutdown = (code: number): Promise<never> => {
    stopping ??= (async () => {
      out.mute();
      out.always('Stopping every service…');
      await supervisor.stopAll();
      out.always('All services stopped.');
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        supervisor.killAllNow();
        process.exit(130);
      }
      out.always('');
      void shutdown(0);
    });
  }
  process.on('exit', () => supervisor.killAllNow());
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      supervisor.killAllNow();
      out.always(
        `✗ The demo crashed (every service was killed): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      process.exit(1);
    });
  }
  return shutdown;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) out.always(error.message);
  else if (error instanceof SeedError || error instanceof ServiceFailedError) out.always(`✗ ${error.message}`);
  else out.always(`✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
