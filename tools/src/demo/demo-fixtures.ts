import { createCrmApi, describeErrorBody } from '@tollgate/api-client';
import type { ManagementApiClient } from '../seed/management-api.client.js';
import { type ClientSpec, Provisioner } from '../seed/provisioner.js';
import { SeedError } from '../seed/seed-error.js';
import { AUDIENCE_SCOPES, CRM_SCOPES } from '../seed/seed-story.js';
import {
  CRM_RESOURCE,
  DEMO_CLIENT_IDS,
  type DemoConfig,
  type DemoSecretName,
  IOT_RESOURCE,
  MARKETING_RESOURCE,
} from './demo.config.js';

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
export function demoHelperClients(secrets: Record<DemoSecretName, string>): ClientSpec[] {
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
  secrets: Record<DemoSecretName, string>,
  log: (line: string) => void,
): Promise<void> {
  const provisioner = new Provisioner(api, { log, enableDisabled: true });
  for (const client of demoHelperClients(secrets)) await provisioner.ensureClient(client);
}

/** Puts the sample contacts in the CRM (a contact already there is left as it is); returns how many were created. */
export async function ensureSampleContacts(
  api: ManagementApiClient,
  config: DemoConfig,
  secrets: Record<DemoSecretName, string>,
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
