import type { MqttClient } from 'mqtt';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../support/app-process.js';
import { KEY_ENCRYPTION_SECRET } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { attemptConnect, connectDevice, endAll } from '../support/mqtt-test-client.js';
import { newTraceparent, OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { CRM } from '../support/service-b.harness.js';
import { IOT, Stack, stackIsRunnable } from '../support/stack.js';

const MARKETING = 'https://marketing.tollgate.local';
const SERVER = 2;
const CLIENT = 3;

/** The standard variables, pointed at the test's receiver, exporting soon after each span ends. */
const otel = (receiver: OtlpReceiver) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
  // The request lines (info), to find them by trace.
  LOG_LEVEL: 'info',
});

/** The JSON log lines a process wrote for requests to `url` in the trace `traceId`. */
const requestLines = (process: AppProcess, url: string, traceId: string) =>
  process.output
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((line) => line.msg === 'request' && line.req?.url === url && line.trace_id === traceId);

const isServer = (span: ReceivedSpan, service: string, route: string) =>
  span.service === service && span.kind === SERVER && span.attributes['http.route'] === route;

/** The parent of `span`, among `spans`. */
const parentOf = (span: ReceivedSpan, spans: ReceivedSpan[]) =>
  spans.find((other) => other.spanId === span.parentSpanId);

/**
 * Every span of a trace hangs from the caller's span `rootParent` (the test's traceparent), through
 * parents that were all exported: no orphan, no second root.
 */
function expectConnected(spans: ReceivedSpan[], rootParent: string): void {
  for (const span of spans) {
    if (span.parentSpanId === rootParent) continue;
    expect(parentOf(span, spans), `parent of ${span.service} ${span.name}`).toBeDefined();
  }
}

/**
 * Issue 16: OpenTelemetry traces, through the standard OTEL_* variables and off unless they are set.
 * One trace follows a request from service-a to the auth-server (its token) and to service-b, and
 * from service-b to the auth-server (introspection of a PAT); the broker records CONNECTs and
 * refused publishes; no span holds a credential.
 */
describe.runIf(stackIsRunnable({ database: 'postgres', redis: true, brokers: 1, serviceA: true }))(
  'OpenTelemetry traces',
  () => {
    let receiver: OtlpReceiver;
    let stack: Stack;
    let caller: { id: string; secret: string };
    const devices: MqttClient[] = [];
    /** Every credential the stack handed out in these tests: none may reach a span. */
    const secrets: string[] = [];

    beforeAll(async () => {
      receiver = await OtlpReceiver.start();
      const env = otel(receiver);
      stack = await Stack.start({
        database: 'postgres',
        redis: true,
        brokers: 1,
        serviceA: true,
        env: { authServer: env, serviceB: env, broker: env, serviceA: env },
      });
      await stack.auth.createResource(MARKETING, ['audience:read', 'audience:sync']);
      caller = await stack.auth.createClient({
        name: 'campaign tool',
        grants: [{ resource: MARKETING, scopes: ['audience:sync'] }],
      });
      secrets.push(
        caller.secret,
        stack.seeded.pat.token,
        stack.seeded.apiKey.key,
        stack.seeded.reader.secret,
        ...Object.values(stack.clients).map((client) => client.secret),
      );
    }, 180_000);
    afterAll(async () => {
      await endAll(...devices);
      await stack?.stop();
      await receiver?.close();
    });

    it('follows a sync from service-a to the auth-server for its token and on to service-b, in one trace', async () => {
      const token = await stack.auth.token(caller.id, caller.secret, { resource: MARKETING, scope: 'audience:sync' });
      secrets.push(token);
      const { traceparent, traceId, spanId } = newTraceparent();
      const sync = await fetch(`${stack.serviceA!.url}/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, traceparent },
      });
      expect(sync.status).toBe(200);

      await eventually(
        () => {
          const spans = receiver.trace(traceId);
          const root = spans.find((span) => isServer(span, 'service-a', '/sync'));
          expect(root?.parentSpanId).toBe(spanId);
          // service-a asks the auth-server for a token for service-b (client credentials)...
          const tokenRequest = spans.find((span) => isServer(span, 'auth-server', '/oauth/token'));
          expect(tokenRequest).toBeDefined();
          const tokenCall = parentOf(tokenRequest!, spans);
          expect(tokenCall).toMatchObject({ service: 'service-a', kind: CLIENT });
          // ...as part of the sync, which has a span of its own (a scheduled one is a trace of its own).
          expect(parentOf(tokenCall!, spans)).toMatchObject({
            service: 'service-a',
            name: 'audience sync',
            attributes: { 'tollgate.sync.trigger': 'manual' },
          });
          // ...which the auth-server answers from PostgreSQL, inside the same trace...
          expect(
            spans.some((span) => span.service === 'auth-server' && span.attributes['db.system.name'] === 'postgresql'),
          ).toBe(true);
          // ...then reads service-b's contacts with it.
          const contacts = spans.find((span) => isServer(span, 'service-b', '/contacts'));
          expect(contacts).toBeDefined();
          expect(parentOf(contacts!, spans)).toMatchObject({ service: 'service-a', kind: CLIENT });
          expectConnected(spans, spanId);
        },
        20_000,
        200,
      );
    });

    it('follows a PAT from service-b to the auth-server that introspects it, in the caller’s trace', async () => {
      const { traceparent, traceId, spanId } = newTraceparent();
      const contacts = await fetch(`${stack.serviceB.url}/contacts`, {
        headers: { authorization: `Bearer ${stack.seeded.pat.token}`, traceparent },
      });
      expect(contacts.status).toBe(200);

      await eventually(
        () => {
          const spans = receiver.trace(traceId);
          const root = spans.find((span) => isServer(span, 'service-b', '/contacts'));
          expect(root?.parentSpanId).toBe(spanId);
          const introspection = spans.find((span) => isServer(span, 'auth-server', '/oauth/introspect'));
          expect(introspection).toBeDefined();
          expect(parentOf(introspection!, spans)).toMatchObject({ service: 'service-b', kind: CLIENT });
          expectConnected(spans, spanId);
        },
        20_000,
        200,
      );
    });

    it('writes the trace and span ids into each request’s log line, at each service', async () => {
      const { traceparent, traceId } = newTraceparent();
      const contacts = await fetch(`${stack.serviceB.url}/contacts`, {
        headers: { authorization: `Bearer ${stack.seeded.pat.token}`, traceparent },
      });
      expect(contacts.status).toBe(200);
      const token = await fetch(`${stack.authServers[0].url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${caller.id}:${caller.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          traceparent,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: MARKETING }).toString(),
      });
      expect(token.status).toBe(200);

      await eventually(
        () => {
          const spans = receiver.trace(traceId);
          for (const [process, url, service] of [
            [stack.serviceB.process, '/contacts', 'service-b'],
            [stack.authServers[0].process, '/oauth/token', 'auth-server'],
          ] as const) {
            const [line, ...more] = requestLines(process, url, traceId);
            expect(more, service).toEqual([]);
            expect(line, service).toMatchObject({ trace_flags: '01' });
            expect(spans.find((span) => span.spanId === line.span_id)?.service, service).toBe(service);
          }
        },
        20_000,
        200,
      );
    });

    it('records the PostgreSQL queries and Redis commands of a request, without their values or keys', async () => {
      const { traceparent, traceId } = newTraceparent();
      // A wrong secret: the auth-server counts the failure in Redis (shared throttles), then audits it.
      const refused = await stack.auth.tokenRequest(
        { grant_type: 'client_credentials', resource: CRM },
        { id: caller.id, secret: 'tgs_wrong' },
        { traceparent },
      );
      expect(refused.status).toBe(401);

      await eventually(
        () => {
          const spans = receiver.trace(traceId).filter((span) => span.service === 'auth-server');
          const redis = spans.filter((span) => span.attributes['db.system.name'] === 'redis');
          expect(redis.length).toBeGreaterThan(0);
          // The command alone: its keys name the client and the address.
          for (const span of redis) expect(span.attributes['db.query.text']).toMatch(/^[a-z]+$/);
          const sql = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
          expect(sql.map((span) => span.attributes['db.query.text'])).toContainEqual(expect.stringMatching(/\$1/));
          for (const span of spans) expect(span.raw).not.toContain(caller.id);
        },
        20_000,
        200,
      );
    });

    it('records a span per CONNECT and per refused publish at the broker, with the reason and no device id', async () => {
      const broker = stack.brokers[0];
      const token = await stack.token(stack.clients.thermostat, IOT);
      secrets.push(token);
      const before = receiver.spans.length;
      const impostor = await attemptConnect(broker.mqttUrl, { clientId: 'thermostat-9', password: token });
      expect(impostor).toMatchObject({ connected: false, returnCode: 5 });
      const thermostat = await connectDevice(broker.mqttUrl, {
        clientId: stack.clients.thermostat.id,
        password: token,
      });
      devices.push(thermostat);
      // Another device's commands topic: not in its ACL (the broker closes the connection at QoS 0).
      thermostat.publish('devices/hub-1/commands', 'x');

      await eventually(
        () => {
          const spans = receiver.spans.slice(before).filter((span) => span.service === 'iot-broker');
          const connects = spans.filter((span) => span.name === 'mqtt CONNECT');
          expect(connects.map((span) => span.attributes)).toEqual(
            expect.arrayContaining([
              expect.objectContaining({
                'tollgate.mqtt.outcome': 'refused',
                'tollgate.mqtt.reason': 'subject_mismatch',
                'tollgate.mqtt.connack_code': 5,
              }),
              expect.objectContaining({ 'tollgate.mqtt.outcome': 'accepted', 'tollgate.client.kind': 'device' }),
            ]),
          );
          expect(spans.find((span) => span.name === 'mqtt publish refused')?.attributes).toMatchObject({
            'tollgate.mqtt.action': 'publish',
            'tollgate.mqtt.reason': 'topic_not_allowed',
          });
          for (const span of spans) expect(span.raw).not.toMatch(/thermostat-|hub-1/);
        },
        20_000,
        200,
      );
    });

    it('keeps query strings out of spans: a credential sent in one is never recorded', async () => {
      const { traceparent, traceId } = newTraceparent();
      const leaked = stack.seeded.pat.token;
      const probe = await fetch(`${stack.serviceB.url}/contacts?access_token=${leaked}`, { headers: { traceparent } });
      expect(probe.status).toBeGreaterThanOrEqual(400);
      const asForm = await fetch(`${stack.authServer.url}/oauth/token?client_secret=${caller.secret}`, {
        method: 'POST',
        headers: { traceparent },
      });
      expect(asForm.status).toBeGreaterThanOrEqual(400);

      await eventually(
        () => {
          const spans = receiver.trace(traceId);
          expect(spans.find((span) => isServer(span, 'service-b', '/contacts'))?.attributes['url.query']).toBe(
            'REDACTED',
          );
          expect(spans.find((span) => isServer(span, 'auth-server', '/oauth/token'))?.attributes).toMatchObject({
            'url.query': 'REDACTED',
          });
          expect(spans.filter((span) => span.attributes['url.path'] !== undefined).length).toBeGreaterThan(2);
        },
        20_000,
        200,
      );
    });

    it('never records a secret, a token or an Authorization header, and leaves health probes out', async () => {
      expect(receiver.spans.length).toBeGreaterThan(0);
      for (const span of receiver.spans) {
        for (const secret of secrets) expect(span.raw, `${span.service} ${span.name}`).not.toContain(secret);
        // No JWT either (service-a's own token for service-b, which the test never sees).
        expect(span.raw).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
        expect(Object.keys(span.attributes).join(' ')).not.toMatch(/authorization|cookie/i);
        expect(span.attributes['url.path']).not.toBe('/health');
      }
      expect(stack.processes.every((process) => process.running)).toBe(true);
    });
  },
);

/**
 * Off unless set: without the OTEL_* variables that ask for traces (or with OTEL_SDK_DISABLED=true),
 * an app starts without loading a single module of the SDK and never calls a collector.
 */
describe.runIf(stackIsRunnable())('OpenTelemetry traces: off unless set', () => {
  let receiver: OtlpReceiver;
  let dir: string;
  let probe: string;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    dir = mkdtempSync(join(tmpdir(), 'tollgate-tracing-'));
    // Says at exit how many modules of the SDK and its instrumentations the process loaded.
    probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      `import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';
const require = createRequire(import.meta.url);
process.on('exit', () => {
  const sdk = Object.keys(require.cache).filter((file) => /[\\\\/]node_modules[\\\\/](@opentelemetry[\\\\/](?!api[\\\\/])|@fastify[\\\\/]otel[\\\\/])/.test(file));
  writeSync(2, 'otel-sdk-modules: ' + sdk.length + '\\n');
});
`,
    );
  });
  afterAll(async () => {
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs an auth-server on SQLite with `env`, makes a few requests, stops it and says what the probe saw. */
  async function runAuthServer(name: string, env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const data = mkdtempSync(join(dir, `${name}-`));
    const app = await AppProcess.start(
      name,
      'auth-server',
      {
        PORT: String(port),
        AUTH_ISSUER: url,
        DATABASE_URL: `sqlite:${join(data, 'auth.sqlite')}`,
        DATA_DIR: data,
        KEY_ENCRYPTION_SECRET,
        NODE_OPTIONS: `--import=${probe}`,
        ...env,
      },
      `${url}/health`,
    );
    for (const path of ['/.well-known/oauth-authorization-server', '/oauth/jwks', '/api/clients'])
      await (await fetch(`${url}${path}`)).arrayBuffer();
    await app.stop();
    return app.output.find((line) => line.startsWith('otel-sdk-modules: ')) ?? 'no probe output';
  }

  it('loads no SDK module when no OTEL_* variable is set', async () => {
    expect(await runAuthServer('plain', {})).toBe('otel-sdk-modules: 0');
  });

  it('exports nothing with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, even with an endpoint', async () => {
    expect(await runAuthServer('disabled', { ...otel(receiver), OTEL_SDK_DISABLED: 'true' })).toBe(
      'otel-sdk-modules: 0',
    );
    expect(await runAuthServer('none', { ...otel(receiver), OTEL_TRACES_EXPORTER: 'none' })).toBe(
      'otel-sdk-modules: 0',
    );
    expect(receiver.requests).toBe(0);
  });

  it('does load and export with an endpoint (the probe can tell)', async () => {
    expect(await runAuthServer('traced', otel(receiver))).toMatch(/^otel-sdk-modules: [1-9]/);
    expect(receiver.spans.some((span) => span.service === 'auth-server')).toBe(true);
  });
});
