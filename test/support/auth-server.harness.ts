import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, type Clock } from '@tollgate/platform';
import { decodeJwt } from 'jose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createAuthServer } from '../../apps/auth-server/src/auth-server.app.js';
import { type AuthServerConfig, loadAuthServerConfig } from '../../apps/auth-server/src/config/auth-server.config.js';
import { freePort } from './free-port.js';
import { createSqliteDatabase, type TestDatabase } from './test-databases.js';

export const ADMIN_CLIENT_ID = 'test-admin';
export const ADMIN_CLIENT_SECRET = 'test-admin-secret-0123456789abcdefghijklmnop';
export const KEY_ENCRYPTION_SECRET = 'test-key-encryption-secret-0123456789abcdef';

/** An HTTP Basic header for client_secret_basic: each half form-urlencoded, then base64 (RFC 6749 §2.3.1). */
export function basicAuthorization(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
}

/** application/x-www-form-urlencoded encoding of one value (what URLSearchParams does). */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

export interface HarnessOptions {
  database?: TestDatabase;
  env?: Record<string, string>;
  clock?: Clock;
  /** Leave the database in place on stop (to start another server on it). */
  keepDatabase?: boolean;
  /** Listen on this port (a restart keeps the issuer, which includes the port); a free one otherwise. */
  port?: number;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * An auth-server as tests talk to it, over HTTP only: the bootstrap admin's token, management API
 * calls, token requests. Works for one running in-process (AuthServerHarness) or as a process.
 */
export class AuthServerClient {
  private adminToken?: { token: string; expiresAt: number };

  constructor(
    /** Where requests go: the issuer, or one instance of several behind it (then name their `managementApi`). */
    readonly issuer: string,
    /** The server's clock (tests may move it). */
    readonly clock: Clock = { now: () => new Date() },
    /** The management API's resource indicator (`<AUTH_ISSUER>/api`). */
    readonly managementApi = `${issuer}/api`,
  ) {}

  /** Any request, with exactly the headers and body given (nothing added but what fetch adds). */
  async request<T = any>(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<JsonResponse<T>> {
    return toJson<T>(await fetch(this.issuer + path, { method, headers: init.headers, body: init.body }));
  }

  /** POST to the token endpoint with a form body; `auth` is sent as HTTP Basic. */
  async tokenRequest(
    params: Record<string, string>,
    auth?: { id: string; secret: string },
    headers: Record<string, string> = {},
  ): Promise<JsonResponse> {
    return this.form('/oauth/token', params, auth, headers);
  }

  async form(
    path: string,
    params: Record<string, string> | string,
    auth?: { id: string; secret: string },
    headers: Record<string, string> = {},
  ): Promise<JsonResponse> {
    const basic: Record<string, string> = auth ? { authorization: basicAuthorization(auth.id, auth.secret) } : {};
    const response = await fetch(this.issuer + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic, ...headers },
      body: typeof params === 'string' ? params : new URLSearchParams(params).toString(),
    });
    return toJson(response);
  }

  /** A client-credentials token; throws unless it is issued. */
  async token(clientId: string, clientSecret: string, params: Record<string, string> = {}): Promise<string> {
    const response = await this.tokenRequest(
      { grant_type: 'client_credentials', ...params },
      { id: clientId, secret: clientSecret },
    );
    if (response.status !== 200)
      throw new Error(`token request failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.access_token;
  }

  /** A token of the bootstrap admin, renewed when the server's clock has moved past its expiry. */
  async admin(): Promise<string> {
    if (!this.adminToken || this.adminToken.expiresAt - 10_000 <= this.clock.now().getTime()) {
      const token = await this.token(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
      this.adminToken = { token, expiresAt: (decodeJwt(token).exp ?? 0) * 1000 };
    }
    return this.adminToken.token;
  }

  /**
   * A management API call with the bootstrap admin's token unless another is given (null: none).
   * The cached admin token is renewed once if refused: its signing key may have been retired.
   */
  async api<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<JsonResponse<T>> {
    const response = await this.apiCall<T>(method, path, body, token === undefined ? await this.admin() : token);
    if (token !== undefined || response.status !== 401) return response;
    this.resetAdminToken();
    return this.apiCall<T>(method, path, body, await this.admin());
  }

  private async apiCall<T>(
    method: string,
    path: string,
    body: unknown,
    bearer: string | null,
  ): Promise<JsonResponse<T>> {
    const response = await fetch(this.issuer + path, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return toJson<T>(response);
  }

  async createResource(indicator: string, scopes: string[], extra: Record<string, unknown> = {}): Promise<any> {
    const response = await this.api('POST', '/api/resources', { indicator, name: indicator, scopes, ...extra });
    if (response.status !== 201)
      throw new Error(`create resource failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Registers a client and returns its id and secret. */
  async createClient(body: Record<string, unknown>): Promise<{ id: string; secret: string; body: any }> {
    const response = await this.api('POST', '/api/clients', { name: 'test client', ...body });
    if (response.status !== 201)
      throw new Error(`create client failed: ${response.status} ${JSON.stringify(response.body)}`);
    return { id: response.body.id, secret: response.body.clientSecret, body: response.body };
  }

  /** Forgets the cached bootstrap admin token (after moving a ManualClock past its expiry). */
  resetAdminToken(): void {
    this.adminToken = undefined;
  }

  async createRole(name: string, grants: { resource: string; scopes: string[] }[]): Promise<any> {
    const response = await this.api('POST', '/api/roles', { name, grants });
    if (response.status !== 201)
      throw new Error(`create role failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Creates a person (password defaults to TEST_PASSWORD) or a service account. */
  async createUser(body: {
    email: string;
    password?: string;
    displayName?: string;
    roles?: string[];
    kind?: 'person' | 'service_account';
  }): Promise<any> {
    const password = body.kind === 'service_account' ? undefined : (body.password ?? TEST_PASSWORD);
    const response = await this.api('POST', '/api/users', {
      displayName: body.email.split('@')[0],
      ...body,
      ...(password && { password }),
    });
    if (response.status !== 201)
      throw new Error(`create user failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Signs in at POST /api/session like the console does; throws unless it succeeds. */
  async login(email: string, password = TEST_PASSWORD): Promise<ConsoleSession> {
    const response = await this.signIn(email, password);
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
    return new ConsoleSession(
      this.issuer,
      response.headers.getSetCookie()[0].split(';')[0],
      response.body.csrfToken,
      response.body.user,
    );
  }

  signIn(email: string, password: string): Promise<JsonResponse> {
    return fetch(`${this.issuer}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    }).then((r) => toJson(r));
  }

  /** RFC 7662 introspection as `caller` (a client granted tokens:introspect for opaque credentials). */
  introspect(token: string, caller: { id: string; secret: string }, resource?: string): Promise<JsonResponse> {
    return this.form('/oauth/introspect', { token, ...(resource && { resource }) }, caller);
  }
}

/** A running auth-server for tests: its own database, the bootstrap admin, helpers for the management API. */
export class AuthServerHarness extends AuthServerClient {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AuthServerConfig,
    private readonly cleanup: () => Promise<void>,
    clock?: Clock,
  ) {
    super(config.issuer, clock);
  }

  static async start(options: HarnessOptions = {}): Promise<AuthServerHarness> {
    const database = options.database ?? (await createSqliteDatabase());
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-auth-'));
    const port = options.port ?? (await freePort());
    const config = loadAuthServerConfig({
      AUTH_ISSUER: `http://127.0.0.1:${port}`,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      KEY_ENCRYPTION_SECRET,
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN_CLIENT_ID,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN_CLIENT_SECRET,
      OPENAPI_ENABLED: 'true',
      ...options.env,
    });
    let app: NestFastifyApplication;
    try {
      app = await createAuthServer(config, {
        clock: options.clock,
        logger: createLogger({ name: 'auth-server', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      });
      await app.listen(config.port, '127.0.0.1');
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    return new AuthServerHarness(
      app,
      config,
      async () => {
        await app.close();
        if (!options.keepDatabase) await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
      options.clock,
    );
  }

  async stop(): Promise<void> {
    await this.cleanup();
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** A browser signed in to the console: sends the session cookie, and X-CSRF-Token unless told not to. */
export class ConsoleSession {
  constructor(
    private readonly issuer: string,
    /** `name=value`, as a browser would send it. */
    readonly cookie: string,
    readonly csrfToken: string,
    readonly user: any,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean | string; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const csrf = options.csrf === undefined || options.csrf === true ? this.csrfToken : options.csrf || undefined;
    const response = await fetch(this.issuer + path, {
      method,
      headers: {
        cookie: this.cookie,
        ...(csrf && { 'x-csrf-token': csrf }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return toJson<T>(response);
  }

  /** Creates a PAT from account settings; throws unless it is created. */
  async createToken(body: Record<string, unknown>): Promise<any> {
    const response = await this.request('POST', '/api/me/tokens', { expiresInDays: 30, ...body });
    if (response.status !== 201)
      throw new Error(`create token failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

export async function toJson<T = any>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  let body: unknown = text;
  if (text && /json/.test(response.headers.get('content-type') ?? '')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: body as T };
}
