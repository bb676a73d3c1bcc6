import 'reflect-metadata';
import { TollgateApiError } from '@tollgate/api-client';
import { generateCredential, randomBase62 } from '@tollgate/credentials';
import { ConfigError } from '@tollgate/platform';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DevelopmentCa } from '../certificates/development-ca.js';
import { ManagementApiClient } from '../seed/management-api.client.js';
import { Provisioner } from '../seed/provisioner.js';
import { SeedError } from '../seed/seed-error.js';
import { ZAPFLOW_CONSUMER } from '../seed/seed-story.js';
import { ConsoleOutput, displayPath } from './console-output.js';
import { IOT_RESOURCE, STORY_SECRET_NAMES, type StorySecretName } from './demo.config.js';
import { ensureDemoHelperClients, ensureSampleContacts, forgetPairedThermostat } from './demo-fixtures.js';
import { demoDevices } from './demo-services.js';
import { ServiceFailedError, ServiceSupervisor } from './processes/service-supervisor.js';
import { loadStackDemoConfig, type StackDemoConfig } from './stack.config.js';
import { type DemoContext, runStories, summaryLines } from './story.js';
import { DEMO_STORIES } from './stories/demo-stories.js';

// dist/tools/tools/src/demo/stack-main.js → the repository (or image) root.
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const PRELOAD = new URL('./processes/exit-with-parent.js', import.meta.url).href;

const out = new ConsoleOutput();

/**
 * `npm run demo:stack`, docker-compose's `demo` service: the story of `npm run demo`, step for step,
 * against a Tollgate that is already running (found by the URLs in its environment). It provisions
 * only its own helpers, starts the devices the IoT story needs beside itself, prints one line per
 * step and exits 0 only if every step passed.
 */
async function main(): Promise<number> {
  const config = loadStackDemoConfig();
  const { urls } = config;
  mkdirSync(config.logDir, { recursive: true, mode: 0o700 });
  out.line(`Tollgate demo against a running stack: the auth-server ${urls.issuer}`);
  if (urls.authServer !== urls.issuer) out.line(`  reached at ${urls.authServer} (AUTH_INTERNAL_URL)`);
  out.line(`  the CRM ${urls.serviceB}, service-a ${urls.serviceA}, the broker ${urls.mqtt} and ${urls.mqtts}`);
  out.line(`  logs of the devices it starts in ${displayPath(config.logDir)}`);

  const supervisor = new ServiceSupervisor({ cwd: ROOT, logDir: config.logDir, preload: PRELOAD });
  process.on('exit', () => supervisor.killAllNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      supervisor.killAllNow();
      process.exit(130);
    });
  try {
    const results = await Promise.race([runAgainstStack(config, supervisor), supervisor.failure]);
    out.line('');
    for (const line of summaryLines(results)) out.line(line);
    return results.every((result) => result.passed) ? 0 : 1;
  } finally {
    await supervisor.stopAll();
  }
}

async function runAgainstStack(config: StackDemoConfig, supervisor: ServiceSupervisor) {
  const { ids } = config;
  const indent = (line: string) => out.line(`  ${line}`);
  // The story's own credentials, new at every run (its clients take them on): nothing to keep.
  const secrets = Object.fromEntries(
    STORY_SECRET_NAMES.map((name) => [
      name,
      name.endsWith('_PASSWORD') ? randomBase62(20) : generateCredential('client_secret'),
    ]),
  ) as Record<StorySecretName, string>;
  secrets.SERVICE_A_CLIENT_SECRET = config.serviceA.secret;

  out.line('');
  out.line('Connecting as the bootstrap admin (what the seed provisioned is used as it is)');
  const admin = await ManagementApiClient.connect(config.urls.issuer, config.admin, {
    internalUrl: config.urls.authServer,
  });
  indent(`✓ auth-server ${admin.issuer}: answering; the bootstrap admin "${config.admin.clientId}" holds scope admin`);
  const provisioner = new Provisioner(admin, { log: indent });
  const consumer = await provisioner.ensureConsumer(ZAPFLOW_CONSUMER);

  out.line('');
  out.line(`The demo’s own helpers, and its own thermostat and hub (${ids.thermostat}, ${ids.hub})`);
  await provisioner.ensureResource({
    indicator: IOT_RESOURCE,
    name: 'IoT broker',
    scopes: ['device', `devices:control:${ids.thermostat}`, 'devices:read:*'],
  });
  await ensureDemoHelperClients(admin, secrets, indent, [
    {
      id: ids.thermostat,
      name: 'Demo thermostat (the story’s)',
      kind: 'device',
      grants: [{ resource: IOT_RESOURCE, scopes: ['device'] }],
      secret: secrets.THERMOSTAT_CLIENT_SECRET,
    },
    {
      id: ids.hub,
      name: 'Demo hub (the story’s)',
      kind: 'device',
      grants: [{ resource: IOT_RESOURCE, scopes: [`devices:control:${ids.thermostat}`, 'devices:read:*'] }],
      secret: secrets.HUB_CLIENT_SECRET,
    },
  ]);
  await forgetPairedThermostat(admin, config, indent);
  const contacts = await ensureSampleContacts(admin, config, secrets);
  indent(`✓ CRM sample data: ${contacts.total} contacts (${contacts.created} created now)`);

  const ca = await DevelopmentCa.fromPem(
    readFileSync(config.ca.certificateFile, 'utf8'),
    readFileSync(config.ca.privateKeyFile, 'utf8'),
  );
  const devices = demoDevices(config, ids, secrets, ROOT);
  const context: DemoContext = {
    config,
    admin,
    ids,
    secrets,
    consoleAdmin: config.consoleAdmin,
    consumer: { id: consumer.id, name: consumer.name },
    sampleContacts: contacts.total,
    startDevice: (device) => supervisor.start(devices[device], 30_000),
    certificates: { ca, device: (id) => ca.issue({ commonName: id, usage: 'client' }) },
    credentials: [],
  };
  return runStories(DEMO_STORIES, context, (line) => out.line(line));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) out.always(error.message);
    else if (error instanceof SeedError || error instanceof ServiceFailedError || error instanceof TollgateApiError)
      out.always(`✗ ${error.message}`);
    else out.always(`✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
