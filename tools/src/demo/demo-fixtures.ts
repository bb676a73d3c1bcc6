import { createCrmApi, describeErrorBody, expectAnswer } from '@tollgate/api-client';
import { rmSync } from 'node:fs';
import type { ManagementApiClient } from '../seed/management-api.client.js';
import { type ClientSpec, Provisioner } from '../seed/provisioner.js';
import { SeedError } from '../seed/seed-error.js';
import { AUDIENCE_SCOPES, CRM_SCOPES } from '../seed/seed-story.js';
import {
  CRM_RESOURCE,
  DEMO_CLIENT_IDS,
  DEMO_ADMIN,
  type DemoSecretName,
  IOT_RESOURCE,
  MARKETING_RESOURCE,
  type StorySecretName,
} from './demo.config.js';
import { newThermostatKeyFile } from './demo-services.js';
import type { StoryConfig } from './story.js';

const SAMPLE_CONTACTS = [
  {
    name: 'Ada Lovelace',
    email: 'ada@analytical-engines.example',
    company: 'Analytical Engines Ltd',
    tags: ['newsletter'],
  },
  { name: 'Grace Hopper', email: 'grace@cobol.example', company: 'COBOL Cooperative', tags: ['newsletter', 'events'] },
  { name: 'Alan Turing', email: 'alan@bletchley.example', company: 'Bletchley Park', tags: ['events'] },
];

/** Clients the demo itself uses (not part of the seeded story): created here, reused on the next run. */
export function demoHelperClients(secrets: Record<StorySecretName, string>): ClientSpec[] {
  return [
    {
      id: DEMO_CLIENT_IDS.dashboard,
      name: 'Dashboard (demo observer)',
      kind: 'device',
      grants: [{ resource: IOT_RESOURCE, scopes: ['devices:read:*'] }],
      secret: secrets.DASHBOARD_CLIENT_SECRET,
    },
    {
      id: DEMO_CLIENT_IDS.crmSampleData,
      name: 'CRM sample data (demo)',
      kind: 'service',
      grants: [{ resource: CRM_RESOURCE, scopes: [CRM_SCOPES.write] }],
      secret: secrets.CRM_SAMPLE_DATA_CLIENT_SECRET,
    },
    {
      id: DEMO_CLIENT_IDS.spareThermostat,
      name: 'Spare thermostat (demo)',
      kind: 'device',
      grants: [{ resource: IOT_RESOURCE, scopes: ['device'] }],
      secret: secrets.SPARE_THERMOSTAT_CLIENT_SECRET,
    },
    {
      id: DEMO_CLIENT_IDS.campaignTool,
      name: 'Campaign tool (demo)',
      kind: 'service',
      grants: [{ resource: MARKETING_RESOURCE, scopes: [AUDIENCE_SCOPES.read, AUDIENCE_SCOPES.sync] }],
      secret: secrets.CAMPAIGN_TOOL_CLIENT_SECRET,
    },
  ];
}

export async function ensureDemoHelperClients(
  api: ManagementApiClient,
  secrets: Record<StorySecretName, string>,
  log: (line: string) => void,
  more: ClientSpec[] = [],
): Promise<void> {
  const provisioner = new Provisioner(api, { log, enableDisabled: true });
  for (const client of [...more, ...demoHelperClients(secrets)]) await provisioner.ensureClient(client);
}

/** Puts the sample contacts in the CRM (a contact already there is left as it is); returns how many were created. */
export async function ensureSampleContacts(
  api: ManagementApiClient,
  config: StoryConfig,
  secrets: Record<StorySecretName, string>,
): Promise<{ total: number; created: number }> {
  const attempt = await api.clientCredentials(DEMO_CLIENT_IDS.crmSampleData, secrets.CRM_SAMPLE_DATA_CLIENT_SECRET, {
    resource: CRM_RESOURCE,
  });
  if (!attempt.ok) throw new SeedError(`the sample-data client got no token: ${attempt.status} ${attempt.error}`);
  const crm = createCrmApi({ baseUrl: config.urls.serviceB, credential: attempt.accessToken });
  let created = 0;
  for (const contact of SAMPLE_CONTACTS) {
    // 409: a contact with this email exists (an earlier run).
    const { response, error } = await crm.POST('/contacts', { body: contact });
    if (response.status === 201) created += 1;
    else if (response.status !== 409)
      throw new SeedError(
        `creating the sample contact ${contact.email} answered ${response.status} (${describeErrorBody(error)})`,
      );
  }
  return { total: SAMPLE_CONTACTS.length, created };
}

export interface DemoUser {
  email: string;
  displayName: string;
  password: string;
  roles: string[];
}

/** Creates the person, or sets the password and roles of the one an earlier run made (and enables it). */
export async function ensureDemoUser(api: ManagementApiClient, user: DemoUser): Promise<'created' | 'updated'> {
  const { email, displayName, password, roles } = user;
  const [existing] = await expectAnswer(api.api.GET('/api/users', { params: { query: { email } } }), 200);
  if (existing) {
    await expectAnswer(
      api.api.PATCH('/api/users/{id}', {
        params: { path: { id: existing.id } },
        body: { password, roles, disabled: false },
      }),
      200,
    );
    return 'updated';
  }
  await expectAnswer(api.api.POST('/api/users', { body: { email, displayName, password, roles } }), 201);
  return 'created';
}

/** Grace, who administers Tollgate in the console (role `admin`, made by the auth-server at its first start). */
export async function ensureDemoAdmin(
  api: ManagementApiClient,
  secrets: Record<DemoSecretName, string>,
  log: (line: string) => void,
): Promise<void> {
  const outcome = await ensureDemoUser(api, {
    email: DEMO_ADMIN,
    displayName: 'Grace Hopper',
    password: secrets.DEMO_ADMIN_PASSWORD,
    roles: ['admin'],
  });
  log(`✓ console admin ${DEMO_ADMIN} (role admin) ${outcome}`);
}

/**
 * thermostat-3 pairs itself in every run: what an earlier run registered (its client, and the key it
 * generated) is removed first, so the story shows a device that has never had a credential.
 */
export async function forgetPairedThermostat(
  api: ManagementApiClient,
  config: StoryConfig,
  log: (line: string) => void,
): Promise<void> {
  const id = DEMO_CLIENT_IDS.newThermostat;
  const { response } = await api.api.DELETE('/api/clients/{id}', { params: { path: { id } } });
  if (response.status !== 204 && response.status !== 404)
    throw new SeedError(`removing ${id} from an earlier run answered ${response.status}`);
  rmSync(newThermostatKeyFile(config), { force: true });
  if (response.status === 204) log(`✓ ${id} from an earlier run removed (client and key), so it pairs afresh`);
}
