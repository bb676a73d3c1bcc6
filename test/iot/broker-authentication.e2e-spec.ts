import { generateCredential } from '@tollgate/credentials';
import type { MqttClient } from 'mqtt';
import { attemptConnect, connectDevice, endAll, waitFor } from '../support/mqtt-test-client.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const NOT_AUTHORISED = 5;
const BAD_CREDENTIALS = 4;
const IDENTIFIER_REJECTED = 2;

describe('IoT broker: device authentication', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let victim: MqttClient;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer);
    victim = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-1',
      password: await issuer.token({ subject: 'thermostat-1', scope: 'device' }),
    });
  });

  afterAll(async () => {
    await endAll(victim);
    await iot.close();
    await issuer.stop();
  });

  afterEach(() => {
    // Whatever was refused, the device already connected with that id is still there.
    expect(victim.connected).toBe(true);
  });

  const refusalReasons = () =>
    iot.logs.filter((line) => line.msg.startsWith('connection refused')).map((line) => line.reason);

  it('accepts a device whose client id, username and token subject agree, over TCP and WebSocket', async () => {
    const token = await issuer.token({ subject: 'thermostat-2', scope: 'device' });
    const tcp = await attemptConnect(iot.mqttUrl, { clientId: 'thermostat-2', password: token });
    expect(tcp).toMatchObject({ connected: true, sessionPresent: false });
    await endAll(tcp.connected ? tcp.client : undefined);
    const ws = await attemptConnect(iot.wsUrl, { clientId: 'thermostat-2', password: token });
    expect(ws).toMatchObject({ connected: true });
    await endAll(ws.connected ? ws.client : undefined);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'device connected',
        clientId: 'thermostat-2',
        transport: 'websocket',
        scopes: ['device'],
      }),
    );
  });

  it.each([
    [
      'a token signed with an unknown key',
      () => issuer.token({ subject: 'intruder', scope: 'device', forged: true }),
      BAD_CREDENTIALS,
      'bad_signature',
    ],
    [
      'a token signed with HS256 using the public key as secret',
      () => issuer.token({ subject: 'intruder', scope: 'device', hmacWithPublicKey: true }),
      BAD_CREDENTIALS,
      'alg_not_allowed',
    ],
    [
      'an unsigned token (alg: none)',
      async () => issuer.unsignedToken({ subject: 'intruder', scope: 'device' }),
      BAD_CREDENTIALS,
      'malformed',
    ],
    [
      'an expired token',
      () => issuer.token({ subject: 'intruder', scope: 'device', expiresInSeconds: -60 }),
      BAD_CREDENTIALS,
      'expired',
    ],
    [
      'a token that expired a second ago (inside the verifier skew)',
      () => issuer.token({ subject: 'intruder', scope: 'device', expiresInSeconds: -1 }),
      BAD_CREDENTIALS,
      'expired',
    ],
    [
      'a token for another audience',
      () => issuer.token({ subject: 'intruder', scope: 'device', audience: 'https://crm.tollgate.local' }),
      BAD_CREDENTIALS,
      'wrong_audience',
    ],
    [
      'a token from another issuer',
      () => issuer.token({ subject: 'intruder', scope: 'device', issuer: 'https://evil.example' }),
      BAD_CREDENTIALS,
      'wrong_issuer',
    ],
    [
      'an ID token or other JWT that is not an access token',
      () => issuer.token({ subject: 'intruder', scope: 'device', typ: 'JWT' }),
      BAD_CREDENTIALS,
      'wrong_type',
    ],
    [
      'a token living a year (exp - iat over the longest lifetime the issuer grants)',
      () => issuer.token({ subject: 'intruder', scope: 'device', expiresInSeconds: 365 * 86_400 }),
      BAD_CREDENTIALS,
      'lifetime_too_long',
    ],
    [
      'a token without exp',
      () => issuer.token({ subject: 'intruder', scope: 'device', omit: ['exp'] }),
      BAD_CREDENTIALS,
      'invalid_claim',
    ],
    [
      'a token not valid yet',
      () => issuer.token({ subject: 'intruder', scope: 'device', notBefore: Math.floor(Date.now() / 1000) + 3600 }),
      BAD_CREDENTIALS,
      'not_yet_valid',
    ],
    ['a personal access token', async () => generateCredential('pat'), BAD_CREDENTIALS, 'opaque_credential'],
    [
      'an API key',
      async () => generateCredential('api_key', { environment: 'live' }),
      BAD_CREDENTIALS,
      'opaque_credential',
    ],
    ['random bytes', async () => Buffer.from([0xff, 0x00, 0x13, 0x37]), BAD_CREDENTIALS, 'malformed'],
    [
      'a token granting nothing on the broker',
      () => issuer.token({ subject: 'intruder', scope: 'contacts:read' }),
      NOT_AUTHORISED,
      'no_broker_scope',
    ],
  ])('refuses %s', async (_case, makePassword, returnCode, reason) => {
    const outcome = await attemptConnect(iot.mqttUrl, { clientId: 'intruder', password: await makePassword() });
    expect(outcome).toEqual({ connected: false, returnCode, closedWithoutConnack: false });
    expect(refusalReasons()).toContain(reason);
  });

  it("refuses a valid token presented with someone else's client id, and the victim keeps its session", async () => {
    const token = await issuer.token({ subject: 'intruder', scope: 'device' });
    const asVictim = await attemptConnect(iot.mqttUrl, { clientId: 'thermostat-1', password: token });
    expect(asVictim).toEqual({ connected: false, returnCode: NOT_AUTHORISED, closedWithoutConnack: false });
    const usernameOnly = await attemptConnect(iot.mqttUrl, {
      clientId: 'thermostat-1',
      username: 'intruder',
      password: token,
    });
    expect(usernameOnly).toEqual({ connected: false, returnCode: NOT_AUTHORISED, closedWithoutConnack: false });
    expect(refusalReasons()).toEqual(expect.arrayContaining(['subject_mismatch', 'username_mismatch']));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(victim.connected).toBe(true);
    expect(iot.broker.health()).toMatchObject({ connectedDevices: 1 });
  });

  it.each([
    ['an empty client id', '', IDENTIFIER_REJECTED],
    ['a client id with a topic separator', 'a/b', IDENTIFIER_REJECTED],
    ['a client id with a wildcard', 'thermostat-+', IDENTIFIER_REJECTED],
    ['a client id of 65 characters', 'x'.repeat(65), IDENTIFIER_REJECTED],
  ])('refuses %s', async (_case, clientId, returnCode) => {
    const token = await issuer.token({ subject: clientId || 'someone', scope: 'device' });
    const outcome = await attemptConnect(iot.mqttUrl, { clientId, username: clientId || 'someone', password: token });
    expect(outcome).toEqual({ connected: false, returnCode, closedWithoutConnack: false });
  });

  it('refuses a CONNECT without username or password', async () => {
    expect(await attemptConnect(iot.mqttUrl, { clientId: 'intruder' })).toEqual({
      connected: false,
      returnCode: BAD_CREDENTIALS,
      closedWithoutConnack: false,
    });
  });

  it('refuses a will on a topic the device may not publish, and accepts one on its own state', async () => {
    const token = await issuer.token({ subject: 'thermostat-3', scope: 'device' });
    const forbidden = await attemptConnect(iot.mqttUrl, {
      clientId: 'thermostat-3',
      password: token,
      will: {
        topic: 'devices/thermostat-1/commands/setpoint',
        payload: Buffer.from('{"setpoint":30}'),
        qos: 1,
        retain: false,
      },
    });
    expect(forbidden).toEqual({ connected: false, returnCode: NOT_AUTHORISED, closedWithoutConnack: false });
    expect(refusalReasons()).toContain('will_not_allowed');
    const allowed = await attemptConnect(iot.mqttUrl, {
      clientId: 'thermostat-3',
      password: token,
      will: { topic: 'devices/thermostat-3/state', payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    });
    expect(allowed.connected).toBe(true);
    await endAll(allowed.connected ? allowed.client : undefined);
  });

  it('never logs the token', async () => {
    const token = await issuer.token({ subject: 'intruder', scope: 'device', audience: 'https://crm.tollgate.local' });
    await attemptConnect(iot.mqttUrl, { clientId: 'intruder', password: token });
    await waitFor(() => refusalReasons().length > 0, 'a refusal');
    expect(JSON.stringify(iot.logs)).not.toContain(token.split('.')[2]);
  });

  it('answers "server unavailable" while the issuer cannot be reached, and recovers without a restart', async () => {
    const lonelyIssuer = await TestIssuer.start();
    const lonely = await startTestIotBroker(lonelyIssuer);
    const token = await lonelyIssuer.token({ subject: 'thermostat-9', scope: 'device' });
    await lonelyIssuer.stop();
    try {
      expect(await attemptConnect(lonely.mqttUrl, { clientId: 'thermostat-9', password: token })).toEqual({
        connected: false,
        returnCode: 3,
        closedWithoutConnack: false,
      });
      await lonelyIssuer.resume();
      const outcome = await waitFor(async () => {
        const attempt = await attemptConnect(lonely.mqttUrl, { clientId: 'thermostat-9', password: token });
        return attempt.connected ? attempt : undefined;
      }, 'the broker to discover the issuer again');
      await endAll(outcome.client);
    } finally {
      await lonely.close();
      await lonelyIssuer.stop();
    }
  });
});
