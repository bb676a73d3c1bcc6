import { ConfigError, type Environment, loadEnv } from '@tollgate/platform';
import { SeedEnv } from './seed.env.js';

/** The five clients of the story, by role. */
export type StoryClientRole = 'serviceA' | 'serviceB' | 'iotBroker' | 'thermostat' | 'hub';

export interface ClientCredentials {
  id: string;
  secret: string;
}

export interface SeedConfig {
  /** The auth-server's issuer URL; everything else is found through its metadata. */
  issuer: string;
  /** Where the seed reaches the auth-server when the issuer URL does not resolve here (AUTH_INTERNAL_URL). */
  internalUrl?: string;
  admin: { clientId: string; clientSecret: string };
  /** RFC 8707 indicators of the CRM (service-b), of the IoT broker and of the email-marketing API (service-a). */
  crmResource: string;
  iotResource: string;
  marketingResource: string;
  clients: Record<StoryClientRole, ClientCredentials>;
  /** The person who administers Tollgate in the web console (role `admin`), when a password is configured. */
  consoleAdmin?: { email: string; password: string };
  /** How long to wait for the auth-server's /health. */
  waitMs: number;
}

/** The secrets the seed sets on the clients (and uses, for the bootstrap admin). */
export const SEED_SECRET_NAMES = [
  'BOOTSTRAP_ADMIN_CLIENT_SECRET',
  'SERVICE_A_CLIENT_SECRET',
  'SERVICE_B_CLIENT_SECRET',
  'IOT_BROKER_CLIENT_SECRET',
  'THERMOSTAT_CLIENT_SECRET',
  'HUB_CLIENT_SECRET',
] as const;

/** Reads and validates the seed's configuration; throws one ConfigError naming every bad variable. */
export function loadSeedConfig(env: Environment = process.env): SeedConfig {
  const values = loadEnv(SeedEnv, env);
  const problems: string[] = [];
  const ids = [
    values.SERVICE_A_CLIENT_ID,
    values.SERVICE_B_CLIENT_ID,
    values.IOT_BROKER_CLIENT_ID,
    values.THERMOSTAT_CLIENT_ID,
    values.HUB_CLIENT_ID,
    values.BOOTSTRAP_ADMIN_CLIENT_ID,
  ];
  const repeated = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
  if (repeated.length > 0)
    problems.push(`*_CLIENT_ID: each client needs its own id (${repeated.join(', ')} used twice)`);
  const secrets = SEED_SECRET_NAMES.map((name) => [name, values[name]] as const);
  const shared = secrets
    .filter(([, value], index) => secrets.findIndex(([, other]) => other === value) !== index)
    .map(([name]) => name);
  // The auth-server finds a client by its secret's hash, so two clients can never share one.
  if (shared.length > 0)
    problems.push(`${shared.join(', ')}: each client needs its own secret (same value as another *_CLIENT_SECRET)`);
  const resources = ['CRM_RESOURCE', 'IOT_RESOURCE', 'MARKETING_RESOURCE'] as const;
  for (const [i, a] of resources.entries()) {
    for (const b of resources.slice(i + 1)) if (values[a] === values[b]) problems.push(`${a} and ${b}: must differ`);
  }
  if (values.CONSOLE_ADMIN_PASSWORD?.toLowerCase() === values.CONSOLE_ADMIN_EMAIL.toLowerCase())
    problems.push('CONSOLE_ADMIN_PASSWORD: must not be the email address');
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    issuer: values.AUTH_ISSUER,
    internalUrl: values.AUTH_INTERNAL_URL,
    admin: { clientId: values.BOOTSTRAP_ADMIN_CLIENT_ID, clientSecret: values.BOOTSTRAP_ADMIN_CLIENT_SECRET },
    crmResource: values.CRM_RESOURCE,
    iotResource: values.IOT_RESOURCE,
    marketingResource: values.MARKETING_RESOURCE,
    clients: {
      serviceA: { id: values.SERVICE_A_CLIENT_ID, secret: values.SERVICE_A_CLIENT_SECRET },
      serviceB: { id: values.SERVICE_B_CLIENT_ID, secret: values.SERVICE_B_CLIENT_SECRET },
      iotBroker: { id: values.IOT_BROKER_CLIENT_ID, secret: values.IOT_BROKER_CLIENT_SECRET },
      thermostat: { id: values.THERMOSTAT_CLIENT_ID, secret: values.THERMOSTAT_CLIENT_SECRET },
      hub: { id: values.HUB_CLIENT_ID, secret: values.HUB_CLIENT_SECRET },
    },
    consoleAdmin: values.CONSOLE_ADMIN_PASSWORD
      ? { email: values.CONSOLE_ADMIN_EMAIL, password: values.CONSOLE_ADMIN_PASSWORD }
      : undefined,
    waitMs: values.SEED_WAIT_SECONDS * 1000,
  };
}
