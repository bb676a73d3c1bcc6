import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '@tollgate/platform';
import { loadServiceBConfig } from '../../apps/service-b/src/config/service-b.config.js';
import { createServiceB, type CreateServiceBOptions } from '../../apps/service-b/src/service-b.app.js';
import { type AuthServerClient, type JsonResponse, toJson } from './auth-server.harness.js';
import { createSqliteDatabase, type TestDatabase } from './test-databases.js';

export const CRM = 'https://crm.tollgate.local';
export const CRM_SCOPES = ['contacts:read', 'contacts:write'];

/** service-b running against a test auth-server, registered there as a resource and an introspecting client. */
export class ServiceBHarness {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    private readonly database: TestDatabase,
  ) {}

  static async start(
    auth: AuthServerClient,
    options: {
      env?: Record<string, string>;
      overrides?: CreateServiceBOptions;
      database?: TestDatabase;
      /** Its resource indicator (default CRM), registered at the auth-server if it is not yet. */
      resource?: string;
      /** Listen on this port (e.g. one the resource indicator names); a free one otherwise. */
      port?: number;
    } = {},
  ): Promise<ServiceBHarness> {
    const resource = options.resource ?? CRM;
    const resources = await auth.api('GET', '/api/resources');
    if (!resources.body.some((r: { indicator: string }) => r.indicator === resource))
      await auth.createResource(resource, CRM_SCOPES);
    const introspector = await auth.createClient({
      name: 'service-b',
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
    const database = options.database ?? (await createSqliteDatabase());
    const config = loadServiceBConfig({
      AUTH_ISSUER: auth.issuer,
      RESOURCE_INDICATOR: resource,
      DATABASE_URL: database.url,
      CLIENT_ID: introspector.id,
      CLIENT_SECRET: introspector.secret,
      LOG_LEVEL: 'silent',
      ...options.env,
    });
    const app = await createServiceB(config, {
      logger: createLogger({ name: 'service-b', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      ...options.overrides,
    });
    await app.listen(options.port ?? 0, '127.0.0.1');
    return new ServiceBHarness(app, await app.getUrl(), database);
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.database.drop();
  }

  /** A request with the given headers (e.g. `{ authorization: 'Bearer …' }`). */
  async request<T = any>(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<JsonResponse<T>> {
    const response = await fetch(this.url + path, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return toJson<T>(response);
  }

  bearer<T = any>(token: string, method = 'GET', path = '/contacts', body?: unknown): Promise<JsonResponse<T>> {
    return this.request<T>(method, path, { authorization: `Bearer ${token}` }, body);
  }
}
