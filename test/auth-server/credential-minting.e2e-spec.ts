import {
  AuthServerHarness,
  type ConsoleSession,
  type JsonResponse,
  TEST_PASSWORD,
} from '../support/auth-server.harness.js';
import { generateClientKey } from '../support/jose-forge.js';
import { testDatabases } from '../support/test-databases.js';

/**
 * Issue 11 point 9: credentials never outlive their makers' authority. Every route that hands out a
 * new secret is found in the OpenAPI document (a secret in its answer, or chosen in its request),
 * and each must refuse an admin's PAT, an admin API key and a JWT exchanged for an admin's PAT,
 * while a console session, a CLI sign-in approved in it (RFC 8628) and an M2M admin token may use it.
 */

const CRM = 'https://crm.tollgate.test';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const PAT_TYPE = 'urn:tollgate:params:oauth:token-type:pat';

/** Fields that carry a secret: shown once in an answer, or chosen by the caller in a request. */
const SECRET_ANSWER_FIELDS = ['token', 'key', 'clientSecret', 'csrfToken'];
const SECRET_REQUEST_FIELDS = ['password', 'clientSecret', 'jwks'];

type Credential = 'session' | 'client_credentials' | 'pat' | 'cli_sign_in' | 'api_key' | 'exchanged_pat';
const CREDENTIALS: Credential[] = ['session', 'client_credentials', 'pat', 'cli_sign_in', 'api_key', 'exchanged_pat'];
const MINTERS: Credential[] = ['session', 'client_credentials', 'cli_sign_in'];
/** A person's own tokens: the console, or the CLI signed in through it. */
const ACCOUNT: Credential[] = ['session', 'cli_sign_in'];
const SESSION: Credential[] = ['session'];

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
}

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  'x-allowed-credentials'?: { credentials: Credential[]; whenBodyHas?: string[] };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Every property name reachable from a schema (through $ref, allOf, oneOf, items and nested objects). */
function fieldsOf(document: OpenApiDocument, schema: Schema | undefined, seen = new Set<string>()): Set<string> {
  const fields = new Set<string>();
  if (!schema) return fields;
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return fields;
    seen.add(schema.$ref);
    return fieldsOf(document, document.components.schemas[schema.$ref.split('/').pop()!], seen);
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    fields.add(name);
    for (const nested of fieldsOf(document, property, seen)) fields.add(nested);
  }
  for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.items ? [schema.items] : [])]) {
    for (const nested of fieldsOf(document, part, seen)) fields.add(nested);
  }
  return fields;
}

/** `METHOD /path` of every authenticated operation whose answer shows a secret or whose request sets one. */
function mintingOperations(document: OpenApiDocument): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation.security?.length) continue;
      const answers = Object.entries(operation.responses ?? {}).filter(([status]) => status.startsWith('2'));
      const answered = answers.flatMap(([, response]) =>
        Object.values(response.content ?? {}).flatMap((media) => [...fieldsOf(document, media.schema)]),
      );
      const requested = Object.values(operation.requestBody?.content ?? {}).flatMap((media) => [
        ...fieldsOf(document, media.schema),
      ]);
      if (
        answered.some((field) => SECRET_ANSWER_FIELDS.includes(field)) ||
        requested.some((field) => SECRET_REQUEST_FIELDS.includes(field))
      ) {
        found.push(`${method.toUpperCase()} ${path}`);
      }
    }
  }
  return found.sort();
}

interface MintingRequest {
  path: string;
  body?: Record<string, unknown>;
}

describe.each(testDatabases())('minting credentials needs a session or an M2M token on $name', ({ create }) => {
  let server: AuthServerHarness;
  let session: ConsoleSession;
  let admin: any;
  let bearers: Record<Exclude<Credential, 'session'>, string>;
  let serial = 0;
  const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;

  /** The minting routes, each with a request that mints (fresh fixtures each time), and who may make it. */
  const MINTING_ROUTES: Record<
    string,
    { allowed: Credential[]; request: () => Promise<MintingRequest>; status?: number }
  > = {
    'POST /api/clients': {
      allowed: MINTERS,
      request: async () => ({ path: '/api/clients', body: { name: unique('minted client'), grants: [] } }),
    },
    'PATCH /api/clients/{id}': {
      allowed: MINTERS,
      request: async () => {
        const key = await generateClientKey('ES256');
        const client = await server.createClient({
          name: unique('jwt client'),
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: { keys: [(await generateClientKey('ES256')).publicJwk] },
          grants: [],
        });
        return { path: `/api/clients/${client.id}`, body: { jwks: { keys: [key.publicJwk] } } };
      },
    },
    'POST /api/clients/{id}/secrets': {
      allowed: MINTERS,
      request: async () => ({
        path: `/api/clients/${(await server.createClient({ name: unique('rotated client'), grants: [] })).id}/secrets`,
        body: {},
      }),
    },
    'POST /api/consumers/{id}/keys': {
      allowed: MINTERS,
      request: async () => ({
        path: `/api/consumers/${await newConsumer()}/keys`,
        body: { name: unique('minted key'), grants: [{ resource: CRM, scopes: ['contacts:read'] }] },
      }),
    },
    'POST /api/keys/{id}/roll': {
      allowed: MINTERS,
      request: async () => ({ path: `/api/keys/${(await newKey()).id}/roll`, body: {} }),
    },
    'POST /api/users': {
      allowed: MINTERS,
      request: async () => ({
        path: '/api/users',
        body: {
          email: `${unique('person')}@example.com`,
          displayName: 'Minted',
          password: 'a password chosen by the caller',
        },
      }),
    },
    'PATCH /api/users/{id}': {
      allowed: MINTERS,
      request: async () => ({
        path: `/api/users/${(await server.createUser({ email: `${unique('reset')}@example.com` })).id}`,
        body: { password: 'a password reset by the caller' },
      }),
    },
    'POST /api/users/{id}/tokens': {
      allowed: MINTERS,
      request: async () => ({
        path: `/api/users/${(await server.createUser({ email: `${unique('bot')}@example.com`, kind: 'service_account', roles: ['admin'] })).id}/tokens`,
        body: { name: unique('org token'), scopes: ['admin'], expiresInDays: 1 },
      }),
    },
    'POST /api/me/tokens': {
      allowed: ACCOUNT,
      request: async () => ({
        path: '/api/me/tokens',
        body: { name: unique('my token'), scopes: ['admin'], expiresInDays: 1 },
      }),
    },
    'POST /api/me/consumers/{id}/keys': {
      allowed: ACCOUNT,
      request: async () => ({
        path: `/api/me/consumers/${await openPortal()}/keys`,
        body: { name: unique('portal key'), grants: [{ resource: CRM, scopes: ['contacts:read'] }] },
      }),
    },
    'POST /api/me/consumers/{id}/keys/{keyId}/roll': {
      allowed: ACCOUNT,
      request: async () => {
        const consumerId = await openPortal();
        const key = await server.api('POST', `/api/consumers/${consumerId}/keys`, {
          name: unique('portal key'),
          grants: [{ resource: CRM, scopes: ['contacts:read'] }],
        });
        return { path: `/api/me/consumers/${consumerId}/keys/${key.body.id}/roll`, body: {} };
      },
    },
    'GET /api/session': { allowed: SESSION, request: async () => ({ path: '/api/session' }) },
    // Re-authentication takes the password and answers the session's CSRF token.
    'POST /api/session/reauthenticate': {
      allowed: SESSION,
      request: async () => ({ path: '/api/session/reauthenticate', body: { password: TEST_PASSWORD } }),
      status: 200,
    },
  };

  async function newConsumer(): Promise<string> {
    const response = await server.api('POST', '/api/consumers', {
      name: unique('consumer'),
      contact: 'ops@example.com',
    });
    if (response.status !== 201)
      throw new Error(`create consumer failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id;
  }

  /** A consumer whose developer portal is open to the signed-in person (root@example.com). */
  async function openPortal(): Promise<string> {
    const consumerId = await newConsumer();
    await server.api('PUT', `/api/consumers/${consumerId}/portal`, {
      grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      environments: ['live', 'test'],
      maxActiveKeys: 10,
    });
    const invited = await server.api('POST', `/api/consumers/${consumerId}/members`, { email: 'root@example.com' });
    if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${JSON.stringify(invited.body)}`);
    return consumerId;
  }

  async function newKey(grants = [{ resource: CRM, scopes: ['contacts:read'] }]): Promise<{ id: string; key: string }> {
    const response = await server.api('POST', `/api/consumers/${await newConsumer()}/keys`, {
      name: unique('key'),
      grants,
    });
    if (response.status !== 201)
      throw new Error(`create key failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  function send(credential: Credential, method: string, request: MintingRequest): Promise<JsonResponse> {
    if (credential === 'session') return session.request(method, request.path, request.body);
    if (!bearers[credential]) throw new Error(`no ${credential} to send`);
    return server.api(method, request.path, request.body, bearers[credential]);
  }

  beforeAll(async () => {
    server = await AuthServerHarness.start({ database: await create() });
    await server.createResource(CRM, ['contacts:read']);
    admin = await server.createUser({ email: 'root@example.com', roles: ['admin'] });
    session = await server.login('root@example.com');
    const pat = await session.createToken({ name: 'admin cli', scopes: ['admin'] });
    const exchanger = await server.createClient({
      name: 'admin gateway',
      grants: [{ resource: server.managementApi, scopes: ['admin'] }],
      allowTokenExchange: true,
    });
    const exchanged = await server.tokenRequest(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: pat.token,
        subject_token_type: PAT_TYPE,
        resource: server.managementApi,
      },
      exchanger,
    );
    expect(exchanged.body.scope).toBe('admin');
    // The CLI's sign-in: the device grant, approved in the console session.
    const device = await server.form('/oauth/device_authorization', { client_id: 'tollgate-cli', scope: 'admin' });
    expect((await session.request('POST', '/api/device/approve', { userCode: device.body.user_code })).status).toBe(
      200,
    );
    const signedIn = await server.form('/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: 'tollgate-cli',
      device_code: device.body.device_code,
    });
    expect(signedIn.status).toBe(200);
    bearers = {
      client_credentials: await server.admin(),
      pat: pat.token,
      cli_sign_in: signedIn.body.access_token,
      api_key: (await newKey([{ resource: server.managementApi, scopes: ['admin'] }])).key,
      exchanged_pat: exchanged.body.access_token,
    };
  });
  afterAll(() => server.stop());

  it('finds every minting route in the OpenAPI document, each declaring who may call it', async () => {
    const document = (await fetch(`${server.issuer}/docs/json`).then((r) => r.json())) as OpenApiDocument;
    // A new route that shows or sets a secret fails here until it is listed above, with @MintsCredentials().
    expect(mintingOperations(document)).toEqual(Object.keys(MINTING_ROUTES).sort());
    for (const [operation, route] of Object.entries(MINTING_ROUTES)) {
      const [method, path] = operation.split(' ');
      expect(document.paths[path][method.toLowerCase()]['x-allowed-credentials']?.credentials, operation).toEqual(
        route.allowed,
      );
    }
  });

  it('refuses an admin’s PAT, an admin API key and an exchanged admin JWT on every minting route (403 credential_not_allowed)', async () => {
    for (const [operation, route] of Object.entries(MINTING_ROUTES)) {
      const [method] = operation.split(' ');
      for (const credential of CREDENTIALS.filter((c) => !route.allowed.includes(c))) {
        const response = await send(credential, method, await route.request());
        const code = route.allowed === MINTERS ? 'credential_not_allowed' : 'session_required';
        expect({ operation, credential, status: response.status, type: response.headers.get('content-type') }).toEqual({
          operation,
          credential,
          status: 403,
          type: expect.stringMatching(/^application\/problem\+json/),
        });
        expect(response.body).toMatchObject({
          type: `urn:tollgate:problem:${code}`,
          status: 403,
          detail: expect.any(String),
          credential,
          allowed_credentials: route.allowed,
        });
        expect(JSON.stringify(response.body)).not.toMatch(/tg[kps]_|password chosen|password reset/);
      }
    }
    const minting = MINTING_ROUTES['POST /api/clients'];
    const refused = await send('pat', 'POST', await minting.request());
    expect(refused.body.detail).toContain(
      'only a console session, a CLI sign-in a person approved there, or an M2M client’s access token (client credentials)',
    );
  });

  it('lets a console session, a CLI sign-in and an M2M admin token mint on every route they are allowed', async () => {
    for (const [operation, route] of Object.entries(MINTING_ROUTES)) {
      const [method] = operation.split(' ');
      for (const credential of route.allowed) {
        const response = await send(credential, method, await route.request());
        expect({ operation, credential, status: response.status }).toEqual({
          operation,
          credential,
          status: route.status ?? (method === 'POST' ? 201 : 200),
        });
      }
    }
  });

  it('mints nothing for a refused request, and audits the attempt', async () => {
    const before = (await server.api('GET', '/api/clients')).body.length;
    const request = await MINTING_ROUTES['POST /api/clients'].request();
    expect((await server.api('POST', request.path, request.body, bearers.pat)).status).toBe(403);
    expect((await server.api('GET', '/api/clients')).body).toHaveLength(before);
    const audit = await server.api('GET', '/api/audit?action=credential.mint.denied');
    expect(audit.body.items[0]).toMatchObject({
      outcome: 'denied',
      actor: { type: 'user', id: admin.id },
      credential: { type: 'pat' },
      reason: 'pat not allowed',
      details: { route: 'POST /api/clients' },
    });
  });

  it('checks the credential before the body: an invalid body from a PAT is still 403, not 400', async () => {
    for (const [path, body] of [
      ['/api/clients', { unexpected: true }],
      ['/api/users', { password: 1 }],
    ] as const) {
      const response = await server.api('POST', path, body, bearers.pat);
      expect(response.status).toBe(403);
    }
  });

  it('keeps reading, listing, revoking and disabling open to an admin’s PAT', async () => {
    const pat = bearers.pat;
    expect((await server.api('GET', '/api/clients', undefined, pat)).status).toBe(200);
    expect((await server.api('GET', '/api/users', undefined, pat)).status).toBe(200);
    const client = await server.createClient({ name: unique('to disable'), grants: [] });
    const secretId = (await server.api('GET', `/api/clients/${client.id}`)).body.secrets[0].id;
    expect(
      (await server.api('PATCH', `/api/clients/${client.id}`, { name: 'renamed', disabled: true }, pat)).status,
    ).toBe(200);
    expect((await server.api('POST', `/api/clients/${client.id}/revoke-tokens`, undefined, pat)).status).toBe(200);
    expect((await server.api('DELETE', `/api/clients/${client.id}/secrets/${secretId}`, undefined, pat)).status).toBe(
      204,
    );
    const key = await newKey();
    expect((await server.api('DELETE', `/api/keys/${key.id}`, undefined, pat)).status).toBe(204);
    const user = await server.createUser({ email: `${unique('leaver')}@example.com` });
    expect(
      (await server.api('PATCH', `/api/users/${user.id}`, { disabled: true, displayName: 'Leaver' }, pat)).status,
    ).toBe(200);
    const bot = await server.createUser({ email: `${unique('svc')}@example.com`, kind: 'service_account' });
    expect(
      (
        await server.api(
          'POST',
          '/api/users',
          { email: `${unique('svc')}@example.com`, displayName: 'Bot', kind: 'service_account' },
          pat,
        )
      ).status,
    ).toBe(201);
    expect((await server.api('DELETE', `/api/users/${bot.id}/tokens`, undefined, pat)).status).toBe(204);
  });

  it('refuses concurrent minting attempts with a PAT, all of them, minting nothing', async () => {
    const before = (await server.api('GET', '/api/clients')).body.length;
    const requests = await Promise.all(Array.from({ length: 20 }, () => MINTING_ROUTES['POST /api/clients'].request()));
    const responses = await Promise.all(
      requests.map((request, i) =>
        server.api('POST', request.path, request.body, i % 2 ? bearers.pat : bearers.exchanged_pat),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(403));
    expect((await server.api('GET', '/api/clients')).body).toHaveLength(before);
  });
});
