import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../../test/support/free-port.js';
import { appEntry } from './paths.js';
import { type JsonResponse, request } from './http-client.js';
import { ServerProcess } from './server-process.js';

export interface ClientCredentials {
  id: string;
  secret: string;
}

export interface Grant {
  resource: string;
  scopes: string[];
}

/** RFC 6749 §2.3.1: both halves form-urlencoded, then base64. */
export function basicAuthorization({ id, secret }: ClientCredentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export interface AuthServerOptions {
  /** Process name in progress lines, and the name of its data folder. Default `auth-server`. */
  name?: string;
  /** Variables on top of the embedded defaults, e.g. DATABASE_URL and REDIS_URL for the scaled shape. */
  env?: Record<string, string>;
  /**
   * Another instance of the same deployment (scaled shape): the same issuer, bootstrap admin and
   * key-encryption secret; give both the same DATABASE_URL and REDIS_URL.
   */
  sibling?: AuthServerProcess;
}

/** What is needed to start the same instance again. */
interface Launch {
  name: string;
  port: number;
  env: Record<string, string>;
}

/**
 * The built auth-server (dist, its real main.js) in a child process: embedded SQLite in the
 * benchmark's temp directory unless told otherwise, audit on as always, logging at warn, and a
 * bootstrap admin client for the management API.
 */
export class AuthServerProcess {
  private adminToken?: string;

  private constructor(
    /** The `iss` of its tokens (a sibling's issuer in the scaled shape). */
    readonly issuer: string,
    /** Where this instance listens (equals `issuer` unless it is a sibling). */
    readonly url: string,
    /** The child process, e.g. to measure its CPU time. */
    private process: ServerProcess,
    private readonly admin: ClientCredentials,
    private readonly launch: Launch,
  ) {}

  static async start(tempDir: string, options: AuthServerOptions = {}): Promise<AuthServerProcess> {
    const name = options.name ?? 'auth-server';
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const sibling = options.sibling;
    const issuer = sibling?.issuer ?? url;
    const admin = sibling?.admin ?? { id: 'bench-admin', secret: randomBytes(32).toString('base64url') };
    const dataDir = join(tempDir, name);
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_ISSUER: issuer,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'auth-server.sqlite')}`,
      KEY_ENCRYPTION_SECRET: sibling?.launch.env.KEY_ENCRYPTION_SECRET ?? randomBytes(32).toString('base64url'),
      BOOTSTRAP_ADMIN_CLIENT_ID: admin.id,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: admin.secret,
      LOG_LEVEL: 'warn',
      OPENAPI_ENABLED: 'false',
      ...options.env,
    };
    const launch = { name, port, env };
    return new AuthServerProcess(issuer, url, await AuthServerProcess.spawn(launch), admin, launch);
  }

  private static spawn({ name, port, env }: Launch): Promise<ServerProcess> {
    return ServerProcess.start({
      name,
      entry: appEntry('auth-server'),
      env,
      readyUrl: `http://127.0.0.1:${port}/health`,
    });
  }

  /** The child process, e.g. to measure its CPU time (a new one after `restart`). */
  get server(): ServerProcess {
    return this.process;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get managementApi(): string {
    return `${this.issuer}/api`;
  }

  /** The SQLite file of the embedded default (undefined when DATABASE_URL points elsewhere). */
  get sqliteFile(): string | undefined {
    const url = this.launch.env.DATABASE_URL;
    return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  /** Starts the same instance again (same port, so the same issuer; same data and secrets), e.g. after editing its database. */
  async restart(): Promise<void> {
    await this.process.stop();
    this.process = await AuthServerProcess.spawn(this.launch);
  }

  tokenRequest(client: ClientCredentials, params: Record<string, string>): Promise<JsonResponse> {
    return request(`${this.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  }

  /** A client-credentials access token; throws unless one is issued. */
  async token(client: ClientCredentials, params: Record<string, string> = {}): Promise<string> {
    const response = await this.tokenRequest(client, { grant_type: 'client_credentials', ...params });
    if (response.status !== 200)
      throw new Error(`token request for ${client.id} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.access_token;
  }

  /** A management API call as the bootstrap admin; throws unless it answers `expected`. */
  async api<T = any>(method: string, path: string, body: unknown, expected: number): Promise<T> {
    this.adminToken ??= await this.token(this.admin);
    const response = await request(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== expected)
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** A management API GET as the bootstrap admin, answered as it streams (e.g. an export). */
  async fetchAsAdmin(path: string): Promise<Response> {
    this.adminToken ??= await this.token(this.admin);
    return fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.adminToken}` } });
  }

  async createResource(indicator: string, scopes: string[], accessTokenTtl: number): Promise<void> {
    await this.api('POST', '/api/resources', { indicator, name: indicator, scopes, accessTokenTtl }, 201);
  }

  /** Registers a client (client_secret_basic unless `extra` says otherwise) with these grants and returns its credentials. */
  async createClient(
    name: string,
    grants: Grant[],
    extra: {
      id?: string;
      kind?: 'service' | 'device';
      tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
    } = {},
  ): Promise<ClientCredentials> {
    const created = await this.api(
      'POST',
      '/api/clients',
      { name, tokenEndpointAuthMethod: 'client_secret_basic', grants, ...extra },
      201,
    );
    return { id: created.id, secret: created.clientSecret };
  }

  /** Creates a role and a person holding it, signs in as them like the console, and creates a PAT; returns the PAT. */
  async createPat(
    email: string,
    grants: Grant[],
    pat: { name: string; scopes: string[]; resource?: string[] },
  ): Promise<string> {
    const role = `role-${randomBytes(4).toString('hex')}`;
    await this.api('POST', '/api/roles', { name: role, grants }, 201);
    const password = randomBytes(18).toString('base64url');
    await this.api('POST', '/api/users', { email, displayName: email.split('@')[0], password, roles: [role] }, 201);
    const session = await fetch(`${this.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const signedIn = await session.json();
    if (session.status !== 200)
      throw new Error(`signing in as ${email} answered ${session.status}: ${JSON.stringify(signedIn)}`);
    const cookie = session.headers.getSetCookie()[0].split(';')[0];
    const created = await request(`${this.url}/api/me/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': signedIn.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ expiresInDays: 30, ...pat }),
    });
    if (created.status !== 201)
      throw new Error(`creating a PAT for ${email} answered ${created.status}: ${JSON.stringify(created.body)}`);
    return created.body.token;
  }

  /** Registers an API consumer; returns its id. */
  async createConsumer(name: string): Promise<string> {
    return (await this.api('POST', '/api/consumers', { name, contact: 'bench@example.com' }, 201)).id;
  }

  /** Issues an API key (live, no rate limit, no expiry) to a consumer; returns the key and its id. */
  async createApiKey(consumerId: string, name: string, grants: Grant[]): Promise<{ id: string; key: string }> {
    const issued = await this.api('POST', `/api/consumers/${consumerId}/keys`, { name, grants }, 201);
    return { id: issued.id, key: issued.key };
  }
}
