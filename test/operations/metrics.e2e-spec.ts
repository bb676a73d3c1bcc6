import type { MqttClient } from 'mqtt';
import { decodeJwt } from 'jose';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { attemptConnect, connectDevice, endAll } from '../support/mqtt-test-client.js';
import { CRM } from '../support/service-b.harness.js';
import { IOT, Stack, stackIsRunnable } from '../support/stack.js';

const MISSING = '00000000-0000-4000-8000-00000000beef';

/** One scrape of a metrics endpoint, parsed into `name{labels} value` samples. */
async function scrape(url: string): Promise<{ text: string; value: (series: string) => number }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return {
    text,
    // The sum over every sample whose name and labels contain all of `series`' parts (e.g. `name{a="b"`).
    value: (series: string) => {
      const [name, labels = ''] = series.split('{');
      const wanted = labels.replace(/}$/, '').split(',').filter(Boolean);
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .filter((line) => wanted.every((label) => line.includes(label)))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
  };
}

/**
 * Issue 16: every app, run as its built process, serves Prometheus metrics at METRICS_PORT: the
 * runtime's, request rate and latency per route, and what it decides (tokens issued and refused,
 * credentials accepted and refused by reason, revocations applied and how late, CONNECTs, ACL
 * denials, messages), labelled without a single credential or client id.
 */
describe.runIf(stackIsRunnable({ brokers: 1, serviceA: true }))('Prometheus metrics on every app', () => {
  let stack: Stack;
  const ports = { authServer: 0, serviceB: 0, broker: 0, serviceA: 0 };
  const metricsUrl = (app: keyof typeof ports) => `http://127.0.0.1:${ports[app]}/metrics`;
  const devices: MqttClient[] = [];

  beforeAll(async () => {
    for (const app of Object.keys(ports) as (keyof typeof ports)[]) ports[app] = await freePort();
    const env = (app: keyof typeof ports) => ({ METRICS_PORT: String(ports[app]) });
    stack = await Stack.start({
      brokers: 1,
      serviceA: true,
      env: {
        authServer: env('authServer'),
        serviceB: env('serviceB'),
        broker: env('broker'),
        serviceA: env('serviceA'),
      },
    });
    await stack.feedsConnected();
  }, 180_000);
  afterAll(async () => {
    await endAll(...devices);
    await stack?.stop();
  });

  it('answers on every app with the Node runtime metrics, labelled with the app', async () => {
    for (const [app, name] of [
      ['authServer', 'auth-server'],
      ['serviceB', 'service-b'],
      ['broker', 'iot-broker'],
      ['serviceA', 'service-a'],
    ] as const) {
      const { value } = await scrape(metricsUrl(app));
      expect(value(`process_cpu_user_seconds_total{app="${name}"`), app).toBeGreaterThan(0);
      expect(value(`nodejs_heap_size_used_bytes{app="${name}"`), app).toBeGreaterThan(0);
    }
    const elsewhere = await fetch(metricsUrl('authServer').replace('/metrics', '/'));
    expect(elsewhere.status).toBe(404);
    const post = await fetch(metricsUrl('authServer'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // The API port does not serve them.
    expect((await fetch(`${stack.authServer.url}/metrics`)).status).toBe(404);
  });

  it('counts tokens issued and refused at the auth-server, by grant, client kind and error', async () => {
    const before = await scrape(metricsUrl('authServer'));
    await stack.token(stack.seeded.reader, CRM);
    const wrong = await stack.auth.tokenRequest(
      { grant_type: 'client_credentials', resource: CRM },
      { id: stack.seeded.reader.id, secret: 'tgs_wrong' },
    );
    expect(wrong.status).toBe(401);
    const after = await scrape(metricsUrl('authServer'));
    const issued = 'tollgate_tokens_issued_total{grant_type="client_credentials",client_kind="service",binding="none"}';
    expect(after.value(issued) - before.value(issued)).toBe(1);
    const refused = 'tollgate_token_requests_refused_total{grant_type="client_credentials",error="invalid_client"}';
    expect(after.value(refused) - before.value(refused)).toBe(1);
    expect(after.value('http_server_request_duration_seconds_count{http_route="/oauth/token"')).toBeGreaterThan(0);
  });

  it('counts decisions at service-b per credential kind and reason, and requests per route template', async () => {
    const token = await stack.token(stack.seeded.reader, CRM);
    const before = await scrape(metricsUrl('serviceB'));
    const crm = stack.serviceB.url;
    const get = (path: string, authorization?: string) =>
      fetch(`${crm}${path}`, authorization ? { headers: { authorization } } : {});
    expect((await get('/contacts', `Bearer ${token}`)).status).toBe(200);
    expect((await get('/contacts', `Bearer ${stack.seeded.apiKey.key}`)).status).toBe(200);
    expect((await get(`/contacts/${MISSING}`, `Bearer ${token}`)).status).toBe(404);
    expect((await get('/contacts', 'Bearer not.a.token')).status).toBe(401);
    await eventually(async () => {
      const after = await scrape(metricsUrl('serviceB'));
      const delta = (series: string) => after.value(series) - before.value(series);
      expect(delta('tollgate_credential_decisions_total{credential_type="access_token",outcome="accepted"')).toBe(2);
      expect(delta('tollgate_credential_decisions_total{credential_type="api_key",outcome="accepted"')).toBe(1);
      expect(delta('tollgate_credential_decisions_total{credential_type="unidentified",outcome="refused"')).toBe(1);
      // One API-key request: one lookup, from the cache or at the auth-server.
      expect(delta('tollgate_introspection_cache_lookups_total{')).toBe(1);
      expect(
        delta(
          'http_server_request_duration_seconds_count{http_route="/contacts/:id",http_request_method="GET",http_response_status_code="404"',
        ),
      ).toBe(1);
    });
    // Route templates, never the URLs themselves, and never a credential's id.
    const { text } = await scrape(metricsUrl('serviceB'));
    expect(text).not.toContain(MISSING);
    for (const id of [stack.seeded.apiKey.id, stack.seeded.reader.id, decodeJwt(token).jti as string])
      expect(text).not.toContain(id);
  });

  it('measures how late a revocation reaches service-b and the broker (revocation feed lag)', async () => {
    const lag = 'tollgate_revocation_feed_lag_seconds_count';
    const before = [await scrape(metricsUrl('serviceB')), await scrape(metricsUrl('broker'))];
    const revoked = await stack.auth.api('POST', `/api/clients/${stack.seeded.reader.id}/revoke-tokens`);
    expect(revoked.status).toBeLessThan(300);
    await eventually(async () => {
      expect((await scrape(metricsUrl('serviceB'))).value(lag)).toBeGreaterThan(before[0].value(lag));
      expect((await scrape(metricsUrl('broker'))).value(lag)).toBeGreaterThan(before[1].value(lag));
    });
  });

  it('counts CONNECTs by outcome and reason, ACL denials and messages at the broker', async () => {
    const broker = stack.brokers[0];
    const before = await scrape(metricsUrl('broker'));
    const token = await stack.token(stack.clients.thermostat, IOT);
    const thermostat = await connectDevice(broker.mqttUrl, { clientId: stack.clients.thermostat.id, password: token });
    devices.push(thermostat);
    await eventually(async () => expect((await scrape(metricsUrl('broker'))).value('tollgate_mqtt_sessions{')).toBe(1));
    const impostor = await attemptConnect(broker.mqttUrl, { clientId: 'thermostat-9', password: token });
    expect(impostor).toMatchObject({ connected: false, returnCode: 5 });
    await thermostat.publishAsync(`devices/${stack.clients.thermostat.id}/telemetry`, '{"celsius":21}', { qos: 1 });
    // Another device's commands topic: not in its ACL (closed by the broker at QoS 0, refused at QoS 1).
    thermostat.publish('devices/hub-1/commands', 'x');
    await eventually(async () => {
      const after = await scrape(metricsUrl('broker'));
      const delta = (series: string) => after.value(series) - before.value(series);
      expect(delta('tollgate_mqtt_connects_total{outcome="accepted"')).toBe(1);
      expect(delta('tollgate_mqtt_connects_total{outcome="refused",reason="subject_mismatch"')).toBe(1);
      expect(delta('tollgate_mqtt_messages_total{direction="in"')).toBeGreaterThanOrEqual(1);
      expect(delta('tollgate_mqtt_acl_denials_total{action="publish"')).toBe(1);
    });
    expect((await scrape(metricsUrl('broker'))).text).not.toContain(stack.clients.thermostat.id);
  });
});
