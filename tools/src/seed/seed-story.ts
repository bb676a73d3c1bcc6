import { expectAnswer } from '@tollgate/api-client';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { ManagementApiClient } from './management-api.client.js';
import { type ClientSpec, type ConsumerSpec, Provisioner, type ResourceSpec } from './provisioner.js';
import type { SeedConfig } from './seed.config.js';
import { waitForAuthServer } from './wait-for-auth-server.js';

/** The registered API consumer of the API-key story (a Zapier-like integration). */
export const ZAPFLOW_CONSUMER: ConsumerSpec = {
  name: 'Zapflow (demo integration)',
  contact: 'integrations@zapflow.example',
  description: 'A Zapier-like integration that copies CRM contacts into other tools with a restricted API key',
};

export const CRM_SCOPES = { read: 'contacts:read', write: 'contacts:write' } as const;

/** service-a's own API: reading the audience, and syncing it from the CRM. */
export const AUDIENCE_SCOPES = { read: 'audience:read', sync: 'audience:sync' } as const;

/** Management API scopes a resource server needs: introspection, usage reports, the revocation feed. */
const RESOURCE_SERVER_SCOPES = [
  MANAGEMENT_SCOPES.introspect,
  MANAGEMENT_SCOPES.usageWrite,
  MANAGEMENT_SCOPES.revocationsRead,
];

export function storyResources(config: SeedConfig): ResourceSpec[] {
  const thermostat = config.clients.thermostat.id;
  return [
    { indicator: config.crmResource, name: 'CRM API (service-b)', scopes: [CRM_SCOPES.read, CRM_SCOPES.write] },
    {
      indicator: config.iotResource,
      name: 'IoT broker',
      scopes: ['device', `devices:control:${thermostat}`, 'devices:read:*'],
    },
    {
      indicator: config.marketingResource,
      name: 'Email marketing API (service-a)',
      scopes: [AUDIENCE_SCOPES.read, AUDIENCE_SCOPES.sync],
    },
  ];
}

/** The story's clients; `managementApi` is the management API's indicator, from the auth-server's metadata. */
export function storyClients(config: SeedConfig, managementApi: string): ClientSpec[] {
  const { serviceA, serviceB, iotBroker, thermostat, hub } = config.clients;
  return [
    {
      ...serviceA,
      name: 'Email marketing (service-a)',
      kind: 'service',
      // The revocation feed, so a token revoked at the auth-server is refused by service-a's API at once.
      grants: [
        { resource: config.crmResource, scopes: [CRM_SCOPES.read] },
        { resource: managementApi, scopes: [MANAGEMENT_SCOPES.revocationsRead] },
      ],
      secretSource: 'SERVICE_A_CLIENT_SECRET',
    },
    {
      ...serviceB,
      name: 'CRM API (service-b)',
      kind: 'service',
      grants: [{ resource: managementApi, scopes: RESOURCE_SERVER_SCOPES }],
      secretSource: 'SERVICE_B_CLIENT_SECRET',
    },
    {
      ...iotBroker,
      name: 'IoT broker',
      kind: 'service',
      // The revocation feed, and reports of refused CONNECTs (e.g. a token bound to another device's certificate).
      grants: [{ resource: managementApi, scopes: [MANAGEMENT_SCOPES.revocationsRead, MANAGEMENT_SCOPES.usageWrite] }],
      secretSource: 'IOT_BROKER_CLIENT_SECRET',
    },
    {
      ...thermostat,
      name: 'Living-room thermostat',
      kind: 'device',
      grants: [{ resource: config.iotResource, scopes: ['device'] }],
      secretSource: 'THERMOSTAT_CLIENT_SECRET',
    },
    {
      ...hub,
      name: 'Home hub',
      kind: 'device',
      grants: [{ resource: config.iotResource, scopes: [`devices:control:${thermostat.id}`, 'devices:read:*'] }],
      secretSource: 'HUB_CLIENT_SECRET',
    },
  ];
}

export interface SeedOptions {
  /** One line per thing ensured (default: console.log). */
  log?: (line: string) => void;
  /** Enable story clients and the consumer when found disabled (the demo does; the seed does not). */
  enableDisabled?: boolean;
}

export interface SeedResult {
  /** The management API as the bootstrap admin, for callers that go on (the demo). */
  api: ManagementApiClient;
  consumer: { id: string; name: string };
}

/**
 * Provisions the story through the management API: the CRM, IoT and email-marketing resources,
 * the five story clients with their grants and configured secrets, the API consumer "Zapflow", and
 * the console's administrator when one is configured. Waits for the auth-server first. Idempotent;
 * throws a SeedError that says what to fix.
 */
export async function seedStory(config: SeedConfig, options: SeedOptions = {}): Promise<SeedResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const reachedAt =
    config.internalUrl && config.internalUrl !== config.issuer ? ` (reached at ${config.internalUrl})` : '';
  await waitForAuthServer(config.internalUrl ?? config.issuer, config.waitMs);
  const api = await ManagementApiClient.connect(config.issuer, config.admin, { internalUrl: config.internalUrl });
  log(
    `✓ auth-server ${config.issuer}${reachedAt}: answering; the bootstrap admin "${config.admin.clientId}" holds scope admin`,
  );
  const provisioner = new Provisioner(api, { log, enableDisabled: options.enableDisabled });
  for (const resource of storyResources(config)) await provisioner.ensureResource(resource);
  for (const client of storyClients(config, api.managementApi)) await provisioner.ensureClient(client);
  const consumer = await provisioner.ensureConsumer(ZAPFLOW_CONSUMER);
  if (config.consoleAdmin) await ensureConsoleAdmin(api, config.consoleAdmin, log);
  return { api, consumer: { id: consumer.id, name: consumer.name } };
}

/**
 * The person who signs in to the web console as an administrator (role `admin`, made by the
 * auth-server at its first start). Created once with the configured password; an existing person
 * is left as they are, so a password changed in the console is never reset by the next start.
 */
export async function ensureConsoleAdmin(
  api: ManagementApiClient,
  person: { email: string; password: string },
  log: (line: string) => void,
): Promise<void> {
  const [existing] = await expectAnswer(api.api.GET('/api/users', { params: { query: { email: person.email } } }), 200);
  if (existing) {
    log(`✓ console admin ${person.email}: exists (its password and roles are left as they are)`);
    return;
  }
  await expectAnswer(
    api.api.POST('/api/users', {
      body: { email: person.email, displayName: 'Console administrator', password: person.password, roles: ['admin'] },
    }),
    201,
  );
  log(`✓ console admin ${person.email}: created (role admin; sign in at ${api.issuer}/console)`);
}
