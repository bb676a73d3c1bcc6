import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { validate } from '@readme/openapi-parser';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { CRM, ServiceBHarness } from '../support/service-b.harness.js';

/**
 * The OpenAPI documents against the routes Fastify actually serves: a valid OpenAPI 3.1 document,
 * every route documented under a name a person would type, every operation that needs a credential
 * lists its security schemes (accessToken wherever a JWT bearer token is accepted) and public ones
 * say so (`security: []`), and every error status the API answers to an anonymous caller, to a
 * caller without the scope, or to invalid input is among the documented responses, with its body.
 */

interface Operation {
  method: string;
  /** OpenAPI form: `/api/clients/{id}`. */
  path: string;
}

interface OpenApiOperation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, unknown> };
}

type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
};

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const TREE_LINE = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/;

/** The routes Fastify registered (its route tree, printed without common-prefix compression), /docs* and the console's pages left out. */
function registeredOperations(app: NestFastifyApplication): Operation[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const operations: Operation[] = [];
  for (const line of tree.split('\n')) {
    const match = TREE_LINE.exec(line);
    if (!match) continue;
    const [, indent, segment, methods] = match;
    const depth = indent.length / 4;
    const path = (prefixes[depth - 1] ?? '') + segment;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    if (!methods || path.startsWith('/docs') || path.startsWith('/console')) continue;
    // HEAD is answered for every GET route (exposeHeadRoutes); only a HEAD of its own would need documenting.
    for (const method of methods.split(', ').filter((m) => HTTP_METHODS.includes(m))) {
      operations.push({ method, path: path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
    }
  }
  return operations;
}

function documentedOperations(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.includes(method.toUpperCase()))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
}

const key = ({ method, path }: Operation) => `${method} ${path}`;

/** Routes that exist only to answer 405 (the OAuth endpoints take POST only): left out of the document. */
const METHOD_NOT_ALLOWED = ['token', 'introspect', 'revoke', 'device_authorization'].flatMap((endpoint) =>
  ['GET', 'PUT', 'DELETE'].map((method) => ({ method, path: `/oauth/${endpoint}` })),
);

function documentsStatus(operation: OpenApiOperation, status: number): boolean {
  const responses = Object.keys(operation.responses ?? {});
  return (
    responses.includes(String(status)) || responses.includes(`${String(status)[0]}XX`) || responses.includes('default')
  );
}

interface Probe {
  name: string;
  status: number;
  challenge: string | null;
}

interface ProbeOptions {
  bearer?: string;
  /** Path parameters and body that validation must refuse. */
  invalidInput?: boolean;
}

/** One request to an operation; streams (the revocation feed) are cut once the status is known. */
async function probe(
  base: string,
  operation: Operation,
  spec: OpenApiOperation,
  name: string,
  options: ProbeOptions = {},
): Promise<Probe> {
  const path = operation.path.replace(
    /\{[^}]+\}/g,
    options.invalidInput ? 'not a valid id!' : '00000000-0000-4000-8000-000000000000',
  );
  const headers: Record<string, string> = options.bearer ? { authorization: `Bearer ${options.bearer}` } : {};
  let body: string | undefined;
  if (options.invalidInput && spec.requestBody && operation.method !== 'GET') {
    const form = Object.keys(spec.requestBody.content ?? {}).includes('application/x-www-form-urlencoded');
    headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
    body = form ? 'unexpected=true' : JSON.stringify({ unexpected: true });
  }
  const response = await fetch(base + encodeURI(path), {
    method: operation.method,
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return { name, status: response.status, challenge: response.headers.get('www-authenticate') };
}

interface Subject {
  base: string;
  app: NestFastifyApplication;
  /** A token with every scope the API knows. */
  privileged: string;
  /** Tokens that each lack some scope the API requires. */
  underprivileged: string[];
}

async function checkDocument(subject: Subject): Promise<void> {
  const response = await fetch(`${subject.base}/docs/json`);
  expect(response.status).toBe(200);
  const document = (await response.json()) as OpenApiDocument;
  expect(document.openapi).toBe('3.1.0');
  const validation = await validate(structuredClone(document) as never);
  expect(validation.valid ? [] : validation.errors.map((error) => error.message)).toEqual([]);
  expect(document.components?.securitySchemes?.accessToken).toMatchObject({ type: 'http', scheme: 'bearer' });

  const notAllowed = new Set(METHOD_NOT_ALLOWED.map(key));
  const registered = registeredOperations(subject.app).filter((operation) => !notAllowed.has(key(operation)));
  const documented = documentedOperations(document);
  expect(registered.length).toBeGreaterThan(0);
  expect(
    registered.map(key).filter((operation) => !documented.map(key).includes(operation)),
    'routes missing from /docs/json',
  ).toEqual([]);
  expect(
    documented.map(key).filter((operation) => !registered.map(key).includes(operation)),
    'documented operations no route serves',
  ).toEqual([]);

  const problems: string[] = [];
  for (const operation of registered) {
    const spec = document.paths[operation.path][operation.method.toLowerCase()];
    const label = key(operation);
    if (Object.keys(spec.responses ?? {}).length === 0) problems.push(`${label}: no response documented`);
    if (!/^[a-z][A-Za-z]+$/.test(spec.operationId ?? '')) problems.push(`${label}: operation id ${spec.operationId}`);
    if (spec.security === undefined) problems.push(`${label}: no security (public routes say security: [])`);
    for (const [status, answer] of Object.entries(spec.responses ?? {}))
      if (/^[45]/.test(status) && !answer.content) problems.push(`${label}: ${status} answer without a body schema`);

    // The global guard answers 401 with a Bearer challenge whenever a route needs a credential.
    const anonymous = await probe(subject.base, operation, spec, 'anonymous');
    const guarded = anonymous.status === 401 && /^Bearer\b/i.test(anonymous.challenge ?? '');
    const schemes = (spec.security ?? []).flatMap((requirement) => Object.keys(requirement));
    if (guarded && schemes.length === 0) problems.push(`${label}: needs a credential but lists no security scheme`);
    for (const scheme of schemes)
      if (!document.components?.securitySchemes?.[scheme])
        problems.push(`${label}: security scheme ${scheme} is not defined`);
    if (schemes.includes('accessToken') && !guarded)
      problems.push(
        `${label}: lists the accessToken security scheme yet answers an anonymous caller ${anonymous.status}`,
      );

    const probes = [anonymous];
    if (guarded) {
      for (const status of [401, 403])
        if (!documentsStatus(spec, status)) problems.push(`${label}: ${status} not documented`);
      for (const [index, token] of subject.underprivileged.entries())
        probes.push(await probe(subject.base, operation, spec, `without scope #${index + 1}`, { bearer: token }));
      if (!schemes.includes('accessToken')) {
        // Only the console session cookie, say: a bearer token must then be refused.
        const bearer = await probe(subject.base, operation, spec, 'privileged bearer', { bearer: subject.privileged });
        probes.push(bearer);
        if (bearer.status !== 401 && bearer.status !== 403)
          problems.push(
            `${label}: accepts a bearer token (${bearer.status}) but does not list the accessToken security scheme`,
          );
      }
    }
    const takesInput = /\{/.test(operation.path) || spec.requestBody !== undefined;
    if (takesInput)
      probes.push(
        await probe(subject.base, operation, spec, 'invalid input', {
          bearer: guarded ? subject.privileged : undefined,
          invalidInput: true,
        }),
      );
    for (const result of probes) {
      if (result.status >= 400 && !documentsStatus(spec, result.status))
        problems.push(`${label}: answers ${result.status} (${result.name}), not documented`);
    }
  }
  expect(problems).toEqual([]);
}

describe('OpenAPI documents', () => {
  let auth: AuthServerHarness;
  let serviceB: ServiceBHarness;

  beforeAll(async () => {
    auth = await AuthServerHarness.start();
    serviceB = await ServiceBHarness.start(auth);
  });

  afterAll(async () => {
    await serviceB?.stop();
    await auth?.stop();
  });

  async function tokenFor(resource: string, scopes: string[]): Promise<string> {
    const client = await auth.createClient({ name: `openapi ${scopes.join(' ')}`, grants: [{ resource, scopes }] });
    return auth.token(client.id, client.secret, { resource });
  }

  it('auth-server: every route documented, bearer security where a token is needed, every error it answers', async () => {
    await checkDocument({
      base: auth.issuer,
      app: auth.app,
      privileged: await auth.admin(),
      underprivileged: [await tokenFor(auth.managementApi, ['tokens:introspect'])],
    });
  });

  it('service-b: every route documented, bearer security where a token is needed, every error it answers', async () => {
    await checkDocument({
      base: serviceB.url,
      app: serviceB.app,
      privileged: await tokenFor(CRM, ['contacts:read', 'contacts:write']),
      underprivileged: [await tokenFor(CRM, ['contacts:read']), await tokenFor(CRM, ['contacts:write'])],
    });
  });
});
