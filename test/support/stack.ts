import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, appsAreBuilt } from './app-process.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  AuthServerClient,
  KEY_ENCRYPTION_SECRET,
} from './auth-server.harness.js';
import { eventually } from './eventually.js';
import { FailoverProxy } from './failover-proxy.js';
import { freePort } from './free-port.js';
import { CRM, CRM_SCOPES } from './service-b.harness.js';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from './test-databases.js';

export const IOT = 'https://iot.tollgate.local';
const IOT_SCOPES = ['device', 'devices:control:thermostat-1', 'devices:read:*'];

export interface StackOptions {
  /** The auth-servers' and service-bs' databases: SQLite files (default) or fresh databases on TEST_DATABASE_URL. */
  database?: 'sqlite' | 'postgres';
  /** Share TEST_REDIS_URL (revocation bus, rate limits, throttles, broker sessions). Needed by more than one instance of an app. */
  redis?: boolean;
  /** Several sit behind a FailoverProxy, whose URL is then AUTH_ISSUER. Default 1. */
  authServers?: number;
  /** Default 1 (0: none). */
  serviceBs?: number;
  /** Default 0. With brokers, the IoT resource and the thermostat-1 and hub-1 device clients are provisioned too. */
  brokers?: number;
  serviceA?: boolean;
  /**
   * The auth-servers' AUTH_ISSUER (the `iss`, the metadata's `issuer`) when it is not where they
   * listen, e.g. a host that does not resolve: the other apps then reach them through
   * AUTH_INTERNAL_URL, as in docker-compose. Default: where they listen.
   */
  publicIssuer?: string;
  /** Extra environment per app. */
  env?: {
    authServer?: Record<string, string>;
    serviceB?: Record<string, string>;
    broker?: Record<string, string>;
    serviceA?: Record<string, string>;
  };
}

export interface Credentials {
  id: string;
  secret: string;
}

/** One auth-server of the stack, with an admin client that talks to it alone. */
export interface AuthServerInstance {
  url: string;
  process: AppProcess;
  api: AuthServerClient;
}

export interface HttpInstance {
  url: string;
  process: AppProcess;
}

export interface BrokerInstance {
  mqttUrl: string;
  healthUrl: string;
  process: AppProcess;
}

/** What every stack holds for tests to use at service-b. */
export interface Seeded {
  /** An M2M client granted contacts:read and contacts:write at the CRM. */
  reader: Credentials;
  /** An API key with contacts:read (no rate limit). */
  apiKey: { id: string; key: string; consumerId: string };
  /** A PAT of a service account with contacts:read. */
  pat: { id: string; token: string; userId: string };
}

/** True when the apps a stack with `options` starts are built (and TEST_DATABASE_URL/TEST_REDIS_URL are set if it needs them). */
export function stackIsRunnable(options: StackOptions = {}): boolean {
  const apps = [
    'auth-server',
    'service-b',
    ...(options.brokers ? ['iot-broker'] : []),
    ...(options.serviceA ? ['service-a'] : []),
  ];
  return (
    appsAreBuilt(...apps) &&
    (options.database !== 'postgres' || Boolean(process.env.TEST_DATABASE_URL)) &&
    (!options.redis || Boolean(process.env.TEST_REDIS_URL))
  );
}

/**
 * Tollgate as it runs in production, as processes from the build: auth-server(s), service-b(s),
 * optionally brokers and service-a, on free ports, on SQLite or on PostgreSQL + Redis, provisioned
 * and seeded with a client, an API key and a PAT. Any process can be SIGKILLed, SIGTERMed and
 * started again on the same port and data (`AppProcess`).
 */
export class Stack {
  readonly authServers: AuthServerInstance[] = [];
  readonly serviceBs: HttpInstance[] = [];
  readonly brokers: BrokerInstance[] = [];
  serviceA?: HttpInstance;
  /** The admin's client, through AUTH_ISSUER (the proxy when there are several auth-servers). */
  readonly auth: AuthServerClient;
  /** The clients of the apps and devices (serviceB, broker, serviceA, thermostat, hub). */
  readonly clients: Record<string, Credentials> = {};
  seeded!: Seeded;
  private readonly databases: TestDatabase[] = [];
  private readonly dirs: string[] = [];
  private proxy?: FailoverProxy;

  /** The `iss` of its tokens: `options.publicIssuer`, or `issuer`. */
  readonly publicIssuer: string;

  private constructor(
    /** Where the auth-server(s) are reached (the proxy when there are several). */
    readonly issuer: string,
    private readonly options: StackOptions,
  ) {
    this.publicIssuer = options.publicIssuer ?? issuer;
    this.auth = new AuthServerClient(issuer, undefined, `${this.publicIssuer}/api`);
  }

  static async start(options: StackOptions = {}): Promise<Stack> {
    const authPorts = await Promise.all(Array.from({ length: options.authServers ?? 1 }, () => freePort()));
    const proxy = authPorts.length > 1 ? await FailoverProxy.start(authPorts) : undefined;
    const stack = new Stack(proxy?.url ?? `http://127.0.0.1:${authPorts[0]}`, options);
    stack.proxy = proxy;
    try {
      await stack.startAuthServers(authPorts);
      await stack.provision();
      await stack.startServiceBs();
      await stack.startBrokers();
      if (options.serviceA) await stack.startServiceA();
      await stack.seed();
      await stack.feedsConnected();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The first of each, for single-instance stacks. */
  get authServer(): AuthServerInstance {
    return this.authServers[0];
  }

  get serviceB(): HttpInstance {
    return this.serviceBs[0];
  }

  /** Every process, for checks that none crashed. */
  get processes(): AppProcess[] {
    return [...this.authServers, ...this.serviceBs, ...this.brokers, ...(this.serviceA ? [this.serviceA] : [])].map(
      (instance) => instance.process,
    );
  }

  /** A client-credentials token from AUTH_ISSUER. */
  token(client: Credentials, resource: string): Promise<string> {
    return this.auth.token(client.id, client.secret, { resource });
  }

  /** Resolves once every verifier (service-bs, brokers) follows the revocation feed. */
  async feedsConnected(timeoutMs = 30_000): Promise<void> {
    for (const url of [...this.serviceBs.map((s) => `${s.url}/health`), ...this.brokers.map((b) => b.healthUrl)]) {
      await eventually(
        async () => expect(JSON.stringify(await (await fetch(url)).json())).toContain('"revocationFeed":"connected"'),
        timeoutMs,
        100,
      );
    }
  }

  async stop(): Promise<void> {
    const processes = this.processes.reverse();
    await Promise.all(processes.map((process) => process.stop()));
    await this.proxy?.close();
    for (const database of this.databases) await database.drop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  private async database(): Promise<TestDatabase> {
    const database =
      this.options.database === 'postgres'
        ? await createPostgresDatabase(process.env.TEST_DATABASE_URL!)
        : await createSqliteDatabase();
    this.databases.push(database);
    return database;
  }

  private tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-stack-'));
    this.dirs.push(dir);
    return dir;
  }

  private shared(): Record<string, string> {
    return this.options.redis ? { REDIS_URL: process.env.TEST_REDIS_URL! } : {};
  }

  private async startAuthServers(ports: number[]): Promise<void> {
    const database = await this.database();
    const dataDir = this.tempDir();
    const env = (port: number) => ({
      PORT: String(port),
      AUTH_ISSUER: this.publicIssuer,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      KEY_ENCRYPTION_SECRET,
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
      ...this.shared(),
      ...this.options.env?.authServer,
    });
    // All at once: migrations and first-boot setup must be safe when instances start together.
    const processes = await Promise.all(
      ports.map((port, index) =>
        AppProcess.start(`auth-${index + 1}`, 'auth-server', env(port), `http://127.0.0.1:${port}/health`),
      ),
    );
    for (const [index, process] of processes.entries()) {
      const url = `http://127.0.0.1:${ports[index]}`;
      this.authServers.push({ url, process, api: new AuthServerClient(url, undefined, this.auth.managementApi) });
    }
  }

  /** AUTH_ISSUER of the apps that rely on the auth-server, and AUTH_INTERNAL_URL when they reach it elsewhere. */
  private issuerEnv(): Record<string, string> {
    return this.options.publicIssuer
      ? { AUTH_ISSUER: this.options.publicIssuer, AUTH_INTERNAL_URL: this.issuer }
      : { AUTH_ISSUER: this.issuer };
  }

  private async provision(): Promise<void> {
    const managementApi = this.auth.managementApi;
    await this.auth.createResource(CRM, CRM_SCOPES);
    this.clients.serviceB = await this.client({
      id: 'service-b',
      name: 'service-b',
      grants: [{ resource: managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
    if (this.options.brokers) {
      await this.auth.createResource(IOT, IOT_SCOPES);
      this.clients.broker = await this.client({
        id: 'iot-broker',
        name: 'iot-broker',
        grants: [{ resource: managementApi, scopes: ['revocations:read', 'usage:write'] }],
      });
      this.clients.thermostat = await this.client({
        id: 'thermostat-1',
        name: 'Living-room thermostat',
        kind: 'device',
        grants: [{ resource: IOT, scopes: ['device'] }],
      });
      this.clients.hub = await this.client({
        id: 'hub-1',
        name: 'Home hub',
        kind: 'device',
        grants: [{ resource: IOT, scopes: ['devices:control:thermostat-1', 'devices:read:*'] }],
      });
    }
    if (this.options.serviceA) {
      // Its own API's resource is service-a's business (RESOURCE_INDICATOR); its client also follows the revocation feed.
      this.clients.serviceA = await this.client({
        id: 'service-a',
        name: 'service-a',
        grants: [
          { resource: CRM, scopes: ['contacts:read'] },
          { resource: managementApi, scopes: ['revocations:read'] },
        ],
      });
    }
  }

  private async client(body: Record<string, unknown>): Promise<Credentials> {
    const { id, secret } = await this.auth.createClient(body);
    return { id, secret };
  }

  private async startServiceBs(): Promise<void> {
    const count = this.options.serviceBs ?? 1;
    if (count === 0) return;
    const database = await this.database();
    for (let index = 0; index < count; index += 1) {
      const port = await freePort();
      const env = {
        PORT: String(port),
        ...this.issuerEnv(),
        DATABASE_URL: database.url,
        DATA_DIR: this.tempDir(),
        CLIENT_ID: this.clients.serviceB.id,
        CLIENT_SECRET: this.clients.serviceB.secret,
        ...this.shared(),
        ...this.options.env?.serviceB,
      };
      const url = `http://127.0.0.1:${port}`;
      this.serviceBs.push({
        url,
        process: await AppProcess.start(`crm-${index + 1}`, 'service-b', env, `${url}/health`),
      });
    }
  }

  private async startBrokers(): Promise<void> {
    for (let index = 0; index < (this.options.brokers ?? 0); index += 1) {
      const [mqttPort, wsPort] = [await freePort(), await freePort()];
      const env = {
        MQTT_PORT: String(mqttPort),
        MQTT_WS_PORT: String(wsPort),
        ...this.issuerEnv(),
        RESOURCE_INDICATOR: IOT,
        CLIENT_ID: this.clients.broker.id,
        CLIENT_SECRET: this.clients.broker.secret,
        ...this.shared(),
        ...this.options.env?.broker,
      };
      const healthUrl = `http://127.0.0.1:${wsPort}/health`;
      this.brokers.push({
        mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
        healthUrl,
        process: await AppProcess.start(`broker-${index + 1}`, 'iot-broker', env, healthUrl),
      });
    }
  }

  private async startServiceA(): Promise<void> {
    const port = await freePort();
    const env = {
      PORT: String(port),
      ...this.issuerEnv(),
      CLIENT_ID: this.clients.serviceA.id,
      CLIENT_SECRET: this.clients.serviceA.secret,
      SERVICE_B_URL: this.serviceB.url,
      DATA_DIR: this.tempDir(),
      SYNC_INTERVAL_SECONDS: '0',
      ...this.options.env?.serviceA,
    };
    const url = `http://127.0.0.1:${port}`;
    this.serviceA = { url, process: await AppProcess.start('service-a', 'service-a', env, `${url}/health`) };
  }

  private async seed(): Promise<void> {
    const reader = await this.client({ name: 'stack reader', grants: [{ resource: CRM, scopes: CRM_SCOPES }] });
    const consumer = await this.auth.api('POST', '/api/consumers', {
      name: 'stack integration',
      contact: 'ops@example.com',
    });
    const key = await this.auth.api('POST', `/api/consumers/${consumer.body.id}/keys`, {
      name: 'stack key',
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
    });
    if (key.status !== 201) throw new Error(`create API key failed: ${key.status} ${JSON.stringify(key.body)}`);
    await this.auth.createRole('stack-crm-reader', [{ resource: CRM, scopes: ['contacts:read'] }]);
    const bot = await this.auth.createUser({
      email: 'stack-bot@example.com',
      kind: 'service_account',
      roles: ['stack-crm-reader'],
    });
    const pat = await this.auth.api('POST', `/api/users/${bot.id}/tokens`, {
      name: 'stack token',
      scopes: ['contacts:read'],
      expiresInDays: 30,
    });
    if (pat.status !== 201) throw new Error(`create PAT failed: ${pat.status} ${JSON.stringify(pat.body)}`);
    this.seeded = {
      reader,
      apiKey: { id: key.body.id, key: key.body.key, consumerId: consumer.body.id },
      pat: { id: pat.body.id, token: pat.body.token, userId: bot.id },
    };
  }
}

/** Starts a stack (see `Stack`). */
export function startStack(options: StackOptions = {}): Promise<Stack> {
  return Stack.start(options);
}
