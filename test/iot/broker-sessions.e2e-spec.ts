import { decodeJwt } from 'jose';
import type { MqttClient } from 'mqtt';
import { SessionMatch } from '../../apps/iot-broker/src/sessions/broker-sessions.js';
import {
  collectMessages,
  connectDevice,
  endAll,
  grantedQos,
  waitFor,
  whenClosed,
} from '../support/mqtt-test-client.js';
import { TestIssuer } from '../support/test-issuer.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

describe('IoT broker: token lifetime on live sessions', () => {
  let issuer: TestIssuer;
  let iot: TestIotBroker;
  let hub: MqttClient;
  let dashboard: MqttClient;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    iot = await startTestIotBroker(issuer);
    hub = await connectDevice(iot.mqttUrl, {
      clientId: 'hub-1',
      password: await issuer.token({ subject: 'hub-1', scope: 'devices:control:thermostat-*' }),
    });
    dashboard = await connectDevice(iot.mqttUrl, {
      clientId: 'dashboard',
      password: await issuer.token({ subject: 'dashboard', scope: 'devices:read:*' }),
    });
  });

  afterAll(async () => {
    await endAll(hub, dashboard);
    await iot.close();
    await issuer.stop();
  });

  it('closes a session when its token expires, and the device resumes its session with a fresh token without losing commands', async () => {
    const shortLived = await issuer.token({ subject: 'thermostat-1', scope: 'device', expiresInSeconds: 2 });
    const expiresAt = decodeJwt(shortLived).exp! * 1000;
    const first = await connectDevice(iot.mqttUrl, { clientId: 'thermostat-1', password: shortLived, clean: false });
    expect(await grantedQos(first, ['devices/thermostat-1/commands/#'])).toEqual([1]);

    const closedAt = await whenClosed(first);
    expect(closedAt).toBeGreaterThanOrEqual(expiresAt);
    expect(closedAt - expiresAt).toBeLessThan(1_500);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({
        msg: 'session closed by the broker',
        clientId: 'thermostat-1',
        reason: 'token_expired',
      }),
    );

    // Sent while the thermostat is away: kept for its persistent session (QoS 1).
    await hub.publishAsync(
      'devices/thermostat-1/commands/setpoint',
      JSON.stringify({ id: 'while-away', setpoint: 21 }),
      { qos: 1 },
    );

    const fresh = await issuer.token({ subject: 'thermostat-1', scope: 'device' });
    const second = await connectDevice(iot.mqttUrl, { clientId: 'thermostat-1', password: fresh, clean: false });
    const inbox = collectMessages(second);
    const command = await waitFor(
      () => inbox.find((m) => m.topic === 'devices/thermostat-1/commands/setpoint'),
      'the queued command',
    );
    expect(command.json()).toEqual({ id: 'while-away', setpoint: 21 });
    await endAll(first, second);
  });

  it('closes exactly the sessions closeWhere selects, by token, by device, or by issue time', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      a: await issuer.token({ subject: 'thermostat-a', scope: 'device' }),
      b: await issuer.token({ subject: 'thermostat-b', scope: 'device', issuedAt: now - 600, expiresInSeconds: 1200 }),
      c: await issuer.token({ subject: 'thermostat-c', scope: 'device' }),
      d: await issuer.token({
        subject: 'thermostat-d',
        scope: 'device',
        clientId: 'fleet-manager',
        issuedAt: now - 600,
        expiresInSeconds: 1200,
      }),
    };
    const clients: Record<string, MqttClient> = {};
    for (const [name, token] of Object.entries(tokens)) {
      clients[name] = await connectDevice(iot.mqttUrl, { clientId: `thermostat-${name}`, password: token });
    }
    const stillConnected = () =>
      Object.entries(clients)
        .filter(([, c]) => c.connected)
        .map(([name]) => name);

    expect(await iot.broker.sessions.closeWhere(SessionMatch.tokenId(decodeJwt(tokens.a).jti!), 'token_revoked')).toBe(
      1,
    );
    await waitFor(() => !clients.a.connected, 'a to close');
    expect(await iot.broker.sessions.closeWhere(SessionMatch.clientId('thermostat-c'), 'client_disabled')).toBe(1);
    await waitFor(() => !clients.c.connected, 'c to close');
    expect(
      await iot.broker.sessions.closeWhere(
        SessionMatch.issuedBefore(new Date((now - 60) * 1000), 'fleet-manager'),
        'client_revoked',
      ),
    ).toBe(1);
    await waitFor(() => !clients.d.connected, 'd to close');
    expect(stillConnected()).toEqual(['b']);
    expect(await iot.broker.sessions.closeWhere(SessionMatch.tokenId('no-such-jti'), 'token_revoked')).toBe(0);
    expect(hub.connected && dashboard.connected).toBe(true);
    expect(iot.logs).toContainEqual(
      expect.objectContaining({ msg: 'device disconnected', clientId: 'thermostat-c', reason: 'client_disabled' }),
    );
    await endAll(...Object.values(clients));
  });

  it('publishes the will of a device that vanishes, but not of one the broker closed', async () => {
    expect(await grantedQos(dashboard, ['devices/+/state'])).toEqual([1]);
    const inbox = collectMessages(dashboard);
    const will = (id: string) => ({
      topic: `devices/${id}/state`,
      payload: Buffer.from(JSON.stringify({ online: false, id })),
      qos: 1 as const,
      retain: false,
    });

    const vanishing = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-v',
      password: await issuer.token({ subject: 'thermostat-v', scope: 'device' }),
      will: will('thermostat-v'),
    });
    const revoked = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-r',
      password: await issuer.token({ subject: 'thermostat-r', scope: 'device' }),
      will: will('thermostat-r'),
    });

    vanishing.stream.destroy();
    await waitFor(() => inbox.find((m) => m.topic === 'devices/thermostat-v/state'), 'the will of the vanished device');

    await iot.broker.sessions.closeWhere(SessionMatch.clientId('thermostat-r'), 'token_revoked');
    await whenClosed(revoked);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inbox.filter((m) => m.topic === 'devices/thermostat-r/state')).toEqual([]);
    await endAll(vanishing, revoked);
  });

  it('reports live sessions in health and in summaries, without tokens', async () => {
    const device = await connectDevice(iot.mqttUrl, {
      clientId: 'thermostat-h',
      password: await issuer.token({ subject: 'thermostat-h', scope: 'device' }),
    });
    const summary = iot.broker.sessions.summaries().find((s) => s.clientId === 'thermostat-h');
    expect(summary).toEqual({
      clientId: 'thermostat-h',
      oauthClientId: 'thermostat-h',
      tokenId: expect.any(String),
      scopes: ['device'],
      remoteAddress: '127.0.0.1',
      transport: 'tcp',
      connectedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(iot.broker.health()).toEqual({
      status: 'ok',
      connectedDevices: 3,
      revocationFeed: 'off',
      publishBudget: { delayedPublishes: 0, episodes: 0 },
      slowSubscribers: { droppedQos0Messages: 0, episodes: 0 },
    });
    await endAll(device);
  });
});

describe('IoT broker: ports', () => {
  it('names the variable to change when a port is taken', async () => {
    const issuer = await TestIssuer.start();
    const squatter = await startTestIotBroker(issuer);
    try {
      await expect(startTestIotBroker(issuer, { MQTT_PORT: String(squatter.mqttPort) })).rejects.toThrow(
        `Port ${squatter.mqttPort} on 127.0.0.1 is already in use. Set MQTT_PORT to a free port.`,
      );
      await expect(startTestIotBroker(issuer, { MQTT_WS_PORT: String(squatter.wsPort) })).rejects.toThrow(
        'Set MQTT_WS_PORT to a free port.',
      );
    } finally {
      await squatter.close();
      await issuer.stop();
    }
  });
});
