import { connect as connectTcp } from 'node:net';
import { basicAuthorization } from '../support/auth-server.harness.js';
import { encodeRemainingLength, rawConnect, rawPublish, rawSubscribe } from '../support/mqtt-packets.js';
import { connectDevice, endAll, grantedQos } from '../support/mqtt-test-client.js';
import { type RawAnswer, type RawRequest, sendRaw } from '../support/raw-http.js';
import { CRM } from '../support/service-b.harness.js';
import { IOT, type Stack, stackIsRunnable, startStack } from '../support/stack.js';

/**
 * Issue 11, abuse suite: oversized and malformed input at every public endpoint of the
 * auth-server, service-b and service-a (every operation of their OpenAPI documents, plus the
 * console), and malformed MQTT packets at the broker. Nothing is answered 500, every refusal has
 * the status its cause calls for and a problem (RFC 9457) or OAuth (RFC 6749 §5.2) body, and no
 * process crashes.
 */

const BODY_LIMIT = 100 * 1024;
/** Node's default limit on the request line and headers together (--max-http-header-size). */
const HEADER_LIMIT = 16 * 1024;
/** Fastify's maxParamLength in createHttpApp. */
const MAX_PARAM_LENGTH = 200;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface Operation {
  method: string;
  /** OpenAPI form: /api/clients/{id} */
  path: string;
  hasBody: boolean;
  /** Whether it is answered in RFC 6749 form (the /oauth/ routes). */
  oauth: boolean;
  /** A router wildcard (the rest of the path) rather than a parameter: no length limit. */
  wildcard?: boolean;
}

interface Subject {
  name: string;
  base: string;
  operations: Operation[];
  /** Headers of a caller allowed to call `operation` (a token with every scope, or the console session). */
  credentials(operation: Operation): Record<string, string>;
}

interface Case {
  name: string;
  applies?: (operation: Operation) => boolean;
  request: (operation: Operation) => RawRequest;
  /** The status expected, given what a well-formed request from the same caller gets (`baseline`). */
  expected: (operation: Operation, baseline: number) => number[];
}

const AN_ID = '00000000-0000-4000-8000-000000000000';
const withIds = (path: string, id = AN_ID) => path.replace(/\{[^}]+\}/g, id);
const jsonHeaders = { 'content-type': 'application/json' };
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** Refused by the caller's lack of rights, which the guard decides before validation. */
const refusedByGuard = (status: number) => status === 401 || status === 403;
const bodyOf = (operation: Operation) => (operation.hasBody || operation.method !== 'GET' ? '{}' : undefined);

/** The hostile requests, each a variation of a well-formed one (ids filled in, `{}` as the body). */
const CASES: Case[] = [
  {
    name: 'body past the limit',
    applies: (op) => op.method !== 'GET',
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: jsonHeaders,
      body: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }),
    }),
    expected: () => [413],
  },
  {
    name: 'malformed JSON',
    applies: (op) => op.method !== 'GET',
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: jsonHeaders,
      body: '{"name": "unterminated',
    }),
    expected: () => [400],
  },
  {
    name: 'bytes that are not UTF-8 as the JSON body',
    applies: (op) => op.method !== 'GET',
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: jsonHeaders,
      body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    }),
    expected: () => [400],
  },
  {
    name: 'a media type no route takes',
    applies: (op) => op.method !== 'GET',
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    }),
    expected: () => [415],
  },
  {
    name: 'an array nested 5,000 deep',
    applies: (op) => op.hasBody,
    request: (op) => ({ method: op.method, path: withIds(op.path), headers: jsonHeaders, body: nested(5_000) }),
    expected: (_op, baseline) => (refusedByGuard(baseline) ? [baseline] : [400]),
  },
  {
    name: 'an object nested 5,000 deep',
    applies: (op) => op.hasBody,
    request: (op) => ({ method: op.method, path: withIds(op.path), headers: jsonHeaders, body: nestedObject(5_000) }),
    expected: (_op, baseline) => (refusedByGuard(baseline) ? [baseline] : [400]),
  },
  {
    name: 'a JSON body with the same member twice and an unknown one',
    applies: (op) => op.hasBody,
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: jsonHeaders,
      body: '{"name":"a","name":"b","__proto__":{"polluted":true},"unknownMember":1}',
    }),
    expected: (_op, baseline) => (refusedByGuard(baseline) ? [baseline] : [400]),
  },
  {
    name: 'a long query string (within the header limit)',
    request: (op) => ({
      method: op.method,
      path: `${withIds(op.path)}?pad=${'x'.repeat(8_000)}`,
      headers: jsonHeaders,
      body: bodyOf(op),
    }),
    expected: (_op, baseline) => [baseline, 400],
  },
  {
    name: 'a query string past the header limit',
    request: (op) => ({
      method: op.method,
      path: `${withIds(op.path)}?pad=${'x'.repeat(HEADER_LIMIT + 1_000)}`,
      headers: jsonHeaders,
      body: bodyOf(op),
    }),
    expected: () => [431],
  },
  {
    name: 'odd query keys (prototype pollution, deep brackets, bad percent-encoding)',
    request: (op) => ({
      method: op.method,
      path: `${withIds(op.path)}?__proto__[polluted]=1&constructor[prototype][polluted]=1&a[b][c][d][e]=1&%ff%fe=%c3%28&q=%`,
      headers: jsonHeaders,
      body: bodyOf(op),
    }),
    expected: (_op, baseline) => [baseline, 400],
  },
  {
    name: 'repeated query parameters',
    request: (op) => ({
      method: op.method,
      path: `${withIds(op.path)}?limit=1&limit=2&after=1&after=2&days=1&days=2`,
      headers: jsonHeaders,
      body: bodyOf(op),
    }),
    expected: (_op, baseline) => [baseline, 400],
  },
  ...['not-an-id', '%00', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'='1"].map((id): Case => ({
    name: `path id ${id}`,
    applies: (op) => op.path.includes('{'),
    request: (op) => ({ method: op.method, path: withIds(op.path, id), headers: jsonHeaders, body: bodyOf(op) }),
    expected: (_op, baseline) => (refusedByGuard(baseline) ? [baseline, 400, 404] : [400, 404]),
  })),
  {
    name: 'a path id whose percent-encoding is not UTF-8',
    applies: (op) => op.path.includes('{'),
    request: (op) => ({ method: op.method, path: withIds(op.path, '%FF%FE'), headers: jsonHeaders, body: bodyOf(op) }),
    expected: () => [400],
  },
  {
    name: 'a path id past the router limit',
    applies: (op) => op.path.includes('{'),
    request: (op) => ({
      method: op.method,
      path: withIds(op.path, 'x'.repeat(MAX_PARAM_LENGTH + 1)),
      headers: jsonHeaders,
      body: bodyOf(op),
    }),
    expected: (op) => (op.wildcard ? [404] : [414]),
  },
  {
    name: 'a header near the limit',
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: { ...jsonHeaders, 'x-padding': 'x'.repeat(HEADER_LIMIT - 4_000) },
      body: bodyOf(op),
    }),
    expected: (_op, baseline) => [baseline],
  },
  {
    name: 'headers past the limit',
    request: (op) => ({
      method: op.method,
      path: withIds(op.path),
      headers: { ...jsonHeaders, 'x-padding': 'x'.repeat(HEADER_LIMIT + 1_000) },
      body: bodyOf(op),
    }),
    expected: () => [431],
  },
];

function checkBody(operation: Operation, answer: RawAnswer): string | undefined {
  if (answer.status < 400) return undefined;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `a body that is not JSON (${answer.contentType}): ${answer.body.slice(0, 80)}`;
  }
  if (operation.oauth) {
    return answer.contentType.startsWith('application/json') && typeof body.error === 'string'
      ? undefined
      : `not an OAuth error: ${answer.contentType} ${answer.body.slice(0, 120)}`;
  }
  return answer.contentType.startsWith('application/problem+json') &&
    body.status === answer.status &&
    typeof body.title === 'string'
    ? undefined
    : `not problem details: ${answer.contentType} ${answer.body.slice(0, 120)}`;
}

/** Every operation of an OpenAPI document. */
async function documentedOperations(base: string): Promise<Operation[]> {
  const document = (await (await fetch(`${base}/docs/json`)).json()) as {
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method.toUpperCase()))
      .map(([method, spec]) => ({
        method: method.toUpperCase(),
        path,
        hasBody: spec.requestBody !== undefined,
        oauth: path.startsWith('/oauth/'),
      })),
  );
}

/** Sends every case to every operation; returns what did not answer as expected. */
async function abuse(subject: Subject): Promise<{ problems: string[]; requests: number; slowest: string }> {
  const problems: string[] = [];
  let requests = 0;
  let slowest = { ms: 0, label: '' };
  const pending = [...subject.operations];
  const worker = async () => {
    for (let operation = pending.shift(); operation; operation = pending.shift()) {
      const credentials = subject.credentials(operation);
      const baseline = await sendRaw(subject.base, {
        method: operation.method,
        path: withIds(operation.path),
        headers: { ...jsonHeaders, ...credentials },
        body: bodyOf(operation),
      });
      for (const hostile of CASES.filter((c) => c.applies?.(operation) ?? true)) {
        const request = hostile.request(operation);
        const sentAt = Date.now();
        const answer = await sendRaw(subject.base, { ...request, headers: { ...request.headers, ...credentials } });
        requests += 1;
        const label = `${subject.name} ${operation.method} ${operation.path}, ${hostile.name}`;
        if (Date.now() - sentAt > slowest.ms) slowest = { ms: Date.now() - sentAt, label };
        const expected = hostile.expected(operation, baseline.status);
        if (!expected.includes(answer.status))
          problems.push(
            `${label}: answered ${answer.status}, expected ${expected.join(' or ')} ${answer.body.slice(0, 160)}`,
          );
        const bodyProblem = checkBody(operation, answer);
        if (bodyProblem) problems.push(`${label} (${answer.status}): ${bodyProblem}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 3 }, worker));
  return { problems, requests, slowest: `${slowest.label} (${slowest.ms} ms)` };
}

const TOPOLOGY = { serviceA: true, brokers: 1 } as const;

describe.runIf(stackIsRunnable(TOPOLOGY))('abuse: oversized and malformed input at every public endpoint', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(TOPOLOGY);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  async function stillHealthy(): Promise<void> {
    expect(stack.processes.filter((process) => !process.running).map((process) => process.name)).toEqual([]);
    for (const url of [
      `${stack.authServer.url}/health`,
      `${stack.serviceB.url}/health`,
      `${stack.serviceA!.url}/health`,
      stack.brokers[0].healthUrl,
    ]) {
      expect((await fetch(url, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    }
    // A well-formed request is served as before (nothing was polluted or broken).
    const jwt = await stack.token(stack.seeded.reader, CRM);
    expect(
      (await fetch(`${stack.serviceB.url}/contacts`, { headers: { authorization: `Bearer ${jwt}` } })).status,
    ).toBe(200);
    expect(
      (await fetch(`${stack.serviceB.url}/contacts`, { headers: { 'x-api-key': stack.seeded.apiKey.key } })).status,
    ).toBe(200);
  }

  it(
    'auth-server: every operation, plus the console, refuses each hostile request with the right status and body',
    { timeout: 600_000 },
    async () => {
      const management = (await stack.auth.api('GET', '/api/resources')).body.find(
        (resource: { indicator: string }) => resource.indicator === stack.auth.managementApi,
      );
      const everything = await stack.auth.createClient({
        name: 'abuse: every management scope',
        grants: [{ resource: stack.auth.managementApi, scopes: management.scopes }],
      });
      const bearer = { authorization: `Bearer ${await stack.auth.token(everything.id, everything.secret)}` };
      await stack.auth.createUser({ email: 'abuse@example.com' });
      const session = await stack.auth.login('abuse@example.com');
      const sessionHeaders = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
      const operations = [
        ...(await documentedOperations(stack.authServer.url)),
        // Served outside the OpenAPI document: the console's page, and its files (a path without an
        // extension is a page of the single-page app, so the hostile ids are given one).
        { method: 'GET', path: '/console', hasBody: false, oauth: false },
        { method: 'GET', path: '/console/{asset}.js', hasBody: false, oauth: false, wildcard: true },
      ];
      expect(operations.length).toBeGreaterThan(50);

      const { problems, requests, slowest } = await abuse({
        name: 'auth-server',
        base: stack.authServer.url,
        operations,
        credentials: (op) => {
          if (op.oauth) return { authorization: basicAuthorization(everything.id, everything.secret) };
          // The console's own routes (account, device approval) take its session, never a bearer token;
          // signing out would end it.
          if (op.path === '/api/session' && op.method === 'DELETE') return {};
          if (op.path.startsWith('/api/me') || op.path.startsWith('/api/device/') || op.path.startsWith('/api/session'))
            return sessionHeaders;
          return bearer;
        },
      });
      console.info(`auth-server: ${operations.length} operations, ${requests} hostile requests; slowest: ${slowest}`);
      expect(problems).toEqual([]);
      await stillHealthy();
    },
  );

  it(
    'service-b and service-a: every operation refuses each hostile request with the right status and body',
    { timeout: 300_000 },
    async () => {
      const jwt = await stack.token(stack.seeded.reader, CRM);
      const crm = await abuse({
        name: 'service-b',
        base: stack.serviceB.url,
        operations: await documentedOperations(stack.serviceB.url),
        credentials: () => ({ authorization: `Bearer ${jwt}` }),
      });
      const audience = await abuse({
        name: 'service-a',
        base: stack.serviceA!.url,
        operations: await documentedOperations(stack.serviceA!.url),
        credentials: () => ({}),
      });
      console.info(`service-b: ${crm.requests} hostile requests; service-a: ${audience.requests}`);
      expect([...crm.problems, ...audience.problems]).toEqual([]);
      await stillHealthy();
    },
  );

  it(
    'the broker closes every connection that sends a malformed packet, and keeps serving the others',
    { timeout: 120_000 },
    async () => {
      const broker = stack.brokers[0];
      const { port } = new URL(broker.mqttUrl);
      const token = await stack.token(stack.clients.thermostat, IOT);
      const connect = rawConnect({ clientId: 'thermostat-1', username: 'thermostat-1', password: token });
      const utf8 = (value: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(value)]), Buffer.from(value)]);
      const packet = (firstByte: number, body: Buffer) =>
        Buffer.concat([Buffer.from([firstByte]), encodeRemainingLength(body.length), body]);
      const connectWith = (protocol: string, level: number, flags: number) =>
        packet(0x10, Buffer.concat([utf8(protocol), Buffer.from([level, flags, 0, 60]), utf8('thermostat-1')]));
      const malformed: [string, Buffer][] = [
        ['a Remaining Length of five bytes (§2.2.3)', Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])],
        ['a CONNECT for another protocol name (§3.1.2.1)', connectWith('MQXX', 4, 0x02)],
        ['a CONNECT with the reserved flag set (§3.1.2.3)', connectWith('MQTT', 4, 0x03)],
        ['a CONNECT with a password but no user name (§3.1.2.9)', connectWith('MQTT', 4, 0x42)],
        ['a PUBLISH before CONNECT (§3.1)', rawPublish(4, 'devices/thermostat-1/telemetry')],
        [
          'a PUBLISH at QoS 3 (§3.3.1.2)',
          Buffer.concat([
            connect,
            packet(0x36, Buffer.concat([utf8('devices/thermostat-1/telemetry'), Buffer.from([0, 1, 0x31])])),
          ]),
        ],
        [
          'a SUBSCRIBE with the wrong fixed-header flags (§3.8.1)',
          Buffer.concat([
            connect,
            packet(
              0x80,
              Buffer.concat([Buffer.from([0, 1]), utf8('devices/thermostat-1/commands/#'), Buffer.from([1])]),
            ),
          ]),
        ],
        [
          'a SUBSCRIBE asking for QoS 3 (§3.8.3.1)',
          Buffer.concat([connect, rawSubscribe('devices/thermostat-1/commands/#', 1, 3)]),
        ],
        ['a reserved packet type (§2.2.1)', Buffer.concat([connect, Buffer.from([0xf0, 0x00])])],
        ['a second CONNECT (§3.1.0-2)', Buffer.concat([connect, connect])],
        ['a PUBLISH to a wildcard topic (§3.3.2-2)', Buffer.concat([connect, rawPublish(4, 'devices/thermostat-1/#')])],
        [
          'a QoS 0 PUBLISH with DUP set (§3.3.1-2)',
          Buffer.concat([
            connect,
            packet(0x38, Buffer.concat([utf8('devices/thermostat-1/telemetry'), Buffer.from('1')])),
          ]),
        ],
        ['a SUBSCRIBE without a filter (§3.8.3-3)', Buffer.concat([connect, packet(0x82, Buffer.from([0, 1]))])],
        ['an UNSUBSCRIBE without a filter (§3.10.3-2)', Buffer.concat([connect, packet(0xa2, Buffer.from([0, 1]))])],
        ['a PINGREQ with a body (§3.12)', Buffer.concat([connect, Buffer.from([0xc0, 0x02, 0x00, 0x00])])],
        ['a CONNACK from the client (§3.2)', Buffer.concat([connect, Buffer.from([0x20, 0x02, 0x00, 0x00])])],
      ];
      const closedWithin = (bytes: Buffer, ms: number) =>
        new Promise<boolean>((resolve) => {
          const socket = connectTcp(Number(port), '127.0.0.1', () => socket.write(bytes));
          const timer = setTimeout(() => {
            socket.destroy();
            resolve(false);
          }, ms);
          socket.on('error', () => undefined);
          socket.on('close', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
      const outcomes: string[] = [];
      for (const [name, bytes] of malformed)
        if (!(await closedWithin(bytes, 10_000))) outcomes.push(`${name}: still open after 10 s`);
      expect(outcomes).toEqual([]);

      // Others are still served: a device connects, subscribes and publishes.
      const device = await connectDevice(broker.mqttUrl, { clientId: 'thermostat-1', password: token });
      expect(await grantedQos(device, ['devices/thermostat-1/commands/#'])).toEqual([1]);
      await device.publishAsync('devices/thermostat-1/telemetry', JSON.stringify({ temperature: 20 }), { qos: 1 });
      await endAll(device);
      await stillHealthy();
    },
  );
});
