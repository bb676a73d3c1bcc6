import { join } from 'node:path';
import { freePort } from '../../../test/support/free-port.js';
import type { AuthServerProcess } from './auth-server.process.js';
import { request } from './http-client.js';
import { serverEntry } from './paths.js';
import { ServerProcess } from './server-process.js';

export const CRM = 'https://crm.tollgate.local';
export const CRM_SCOPES = ['contacts:read', 'contacts:write'];

/**
 * service-b (built) in a child process, its own SQLite file, registered at the auth-server with an
 * introspection client as in production. `authentication: false` serves the same routes with no
 * verification at all (the baseline of the resource-server benchmarks).
 */
export class ServiceBProcess {
  private constructor(
    readonly url: string,
    /** The child process, e.g. to measure its CPU time. */
    readonly server: ServerProcess,
  ) {}

  /** The auth-server must already know the CRM resource. `env` adds variables (e.g. REDIS_URL). */
  static async start(
    auth: AuthServerProcess,
    tempDir: string,
    options: { name: string; authentication: boolean; env?: Record<string, string> },
  ): Promise<ServiceBProcess> {
    const introspector = await auth.createClient(`${options.name} introspection`, [
      { resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] },
    ]);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dataDir = join(tempDir, options.name);
    const server = await ServerProcess.start({
      name: options.name,
      entry: serverEntry('service-b'),
      args: options.authentication ? [] : ['--no-authentication'],
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        AUTH_ISSUER: auth.issuer,
        RESOURCE_INDICATOR: CRM,
        DATA_DIR: dataDir,
        DATABASE_URL: `sqlite:${join(dataDir, 'service-b.sqlite')}`,
        CLIENT_ID: introspector.id,
        CLIENT_SECRET: introspector.secret,
        LOG_LEVEL: 'warn',
        OPENAPI_ENABLED: 'false',
        ...options.env,
      },
      readyUrl: `${url}/health`,
    });
    return new ServiceBProcess(url, server);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Creates `count` contacts (`Contact 1` … with distinct emails); throws on any refusal. */
  async seedContacts(count: number, headers: Record<string, string> = {}): Promise<void> {
    for (let i = 1; i <= count; i++) {
      const contact = {
        name: `Contact ${i}`,
        email: `contact${i}@example.com`,
        company: 'Example Ltd',
        tags: ['benchmark'],
      };
      const response = await request(`${this.url}/contacts`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(contact),
      });
      if (response.status !== 201)
        throw new Error(`seeding ${this.url}: ${response.status} ${JSON.stringify(response.body)}`);
    }
  }
}
