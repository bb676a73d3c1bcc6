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

/** RFC 6749 §2.3.1: both halves form-urlencoded, then base64. */
export function basicAuthorization({ id, secret }: ClientCredentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * The built auth-server (dist, its real main.js) in a child process: embedded SQLite in the
 * benchmark's temp directory, audit on as always, logging at warn, and a bootstrap admin client
 * for the management API.
 */
export class AuthServerProcess {
  private adminToken?: string;

  private constructor(
    readonly issuer: string,
    /** The child process, e.g. to measure its CPU time. */
    readonly server: ServerProcess,
    private readonly admin: ClientCredentials,
  ) {}

  static async start(tempDir: string, name = 'auth-server'): Promise<AuthServerProcess> {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const dataDir = join(tempDir, name);
    const admin = { id: 'bench-admin', secret: randomBytes(32).toString('base64url') };
    const server = await ServerProcess.start({
      name,
      entry: appEntry('auth-server'),
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        AUTH_ISSUER: issuer,
        DATA_DIR: dataDir,
        DATABASE_URL: `sqlite:${join(dataDir, 'auth-server.sqlite')}`,
        KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
        BOOTSTRAP_ADMIN_CLIENT_ID: admin.id,
        BOOTSTRAP_ADMIN_CLIENT_SECRET: admin.secret,
        LOG_LEVEL: 'warn',
        OPENAPI_ENABLED: 'false',
      },
      readyUrl: `${issuer}/health`,
    });
    return new AuthServerProcess(issuer, server, admin);
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  get managementApi(): string {
    return `${this.issuer}/api`;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  tokenRequest(client: ClientCredentials, params: Record<string, string>): Promise<JsonResponse> {
    return request(`${this.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  }

  /** A client-credentials access token; throws unless one is issued. */
  async token(client: ClientCredentials, params: Record<string, string> = {}): Promise<string> {
    const response = await this.tokenRequest(client, { grant_type: 'client_credentials', ...params });
    if (response.status !== 200) throw new Error(`token request for ${client.id} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.access_token;
  }

  /** A management API call as the bootstrap admin; throws unless it answers `expected`. */
  async api<T = any>(method: string, path: string, body: unknown, expected: number): Promise<T> {
    this.adminToken ??= await this.token(this.admin);
    const response = await request(`${this.issuer}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async createResource(indicator: string, scopes: string[], accessTokenTtl: number): Promise<void> {
    await this.api('POST', '/api/resources', { indicator, name: indicator, scopes, accessTokenTtl }, 201);
  }

  /** Registers a client_secret_basic client with these grants and returns its credentials. */
  async createClient(name: string, grants: { resource: string; scopes: string[] }[]): Promise<ClientCredentials> {
    const created = await this.api('POST', '/api/clients', { name, tokenEndpointAuthMethod: 'client_secret_basic', grants }, 201);
    return { id: created.id, secret: created.clientSecret };
  }
}
