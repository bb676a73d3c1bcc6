import { expectAnswer } from '@tollgate/api-client';
import { decodeJwt } from 'jose';
import type { MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchJson } from '../../seed/http-json.js';
import { check, CheckFailed, expectStatus, waitFor } from '../checks.js';
import { signInToConsole } from '../console-session.js';
import { IOT_RESOURCE, type StorySecretName } from '../demo.config.js';
import { DEMO_HEATING } from '../demo-services.js';
import { forgeAccessToken } from '../mqtt/forged-token.js';
import { MessageLog, subscribe, tryConnect, whenClosed } from '../mqtt/mqtt-observer.js';
import { mtlsClientCredentials } from '../mtls-token.js';
import type { Story } from '../story.js';

/**
 * IoT (the seed's thermostat and home hub): both devices connect to the broker with M2M tokens;
 * the hub drives the thermostat; forged, borrowed and under-scoped tokens get nowhere; disabling a
 * device at the auth-server ends its session at once; a new thermostat with no credential pairs
 * itself (device grant) once an admin approves its code in the console.
 */
export const iotStory: Story = {
  name: 'IoT',
  title:
    'IoT: a thermostat and a home hub exchange telemetry and commands over MQTT with M2M tokens; only authorised devices get in',
  async run(context, step) {
    const { ids, admin, consoleAdmin } = context;
    const { mqtt, mqtts, brokerHealth, issuer, authServer, authServerMtls, thermostatHealth } = context.config.urls;
    const topics = {
      telemetry: `devices/${ids.thermostat}/telemetry`,
      state: `devices/${ids.thermostat}/state`,
      ack: `devices/${ids.thermostat}/commands/ack`,
      setpoint: `devices/${ids.thermostat}/commands/setpoint`,
    };
    const token = async (clientId: string, secret: StorySecretName): Promise<string> => {
      const attempt = await admin.clientCredentials(clientId, context.secrets[secret], { resource: IOT_RESOURCE });
      if (!attempt.ok) throw new CheckFailed(`no token for ${clientId}: ${attempt.status} ${attempt.error}`);
      return attempt.accessToken;
    };
    const connected = async (): Promise<string[]> => {
      const health = await fetchJson<{ devices?: string[] }>(brokerHealth);
      expectStatus(health, 200, 'the broker’s /health');
      return health.body.devices ?? [];
    };
    const sessions: MqttClient[] = [];
    let watch!: MessageLog;
    let dashboard!: MqttClient;

    try {
      await step(
        `the dashboard (devices:read:*) connects with its own token and watches ${ids.thermostat}`,
        async () => {
          const outcome = await tryConnect(mqtt, {
            clientId: ids.dashboard,
            password: await token(ids.dashboard, 'DASHBOARD_CLIENT_SECRET'),
          });
          if (!outcome.connected)
            throw new CheckFailed(`refused: CONNACK ${outcome.returnCode ?? '-'} (${outcome.reason})`);
          dashboard = outcome.client;
          sessions.push(dashboard);
          watch = new MessageLog(dashboard);
          const granted = await subscribe(outcome.client, [topics.telemetry, topics.state, topics.ack]);
          check(
            granted.every((code) => code < 0x80),
            `SUBACK ${granted.join(', ')}`,
          );
          return 'CONNACK 0, SUBACK granted (telemetry, state, commands/ack)';
        },
      );

      await step(
        `${ids.thermostat} and ${ids.hub} start (apps/devices) and connect with their client-credentials tokens`,
        async () => {
          await Promise.all([context.startDevice('thermostat'), context.startDevice('hub')]);
          const devices = await connected();
          for (const id of [ids.thermostat, ids.hub])
            check(devices.includes(id), `the broker does not list ${id} (${devices.join(', ')})`);
          return `the broker lists ${devices.join(', ')}`;
        },
      );

      await step(
        `${ids.hub} applies the user’s schedule: ${DEMO_HEATING.scheduledSetpoint} °C (${ids.thermostat} booted at ${DEMO_HEATING.initialSetpoint} °C)`,
        async () => {
          const ack = await watch.waitFor(
            (m) =>
              m.topic === topics.ack &&
              m.json.command === 'setpoint' &&
              m.json.status === 'applied' &&
              m.json.state?.setpoint === DEMO_HEATING.scheduledSetpoint,
            `${ids.thermostat} acknowledging setpoint ${DEMO_HEATING.scheduledSetpoint}`,
          );
          return `${ids.thermostat} acknowledges command ${String(ack.json.id).slice(0, 8)}…: applied, setpoint ${ack.json.state.setpoint} °C`;
        },
      );

      await step(`${ids.thermostat} heats toward it (telemetry, as the dashboard sees it)`, async () => {
        const telemetry = (m: { topic: string; json: Record<string, any> }) =>
          m.topic === topics.telemetry && m.json.setpoint === DEMO_HEATING.scheduledSetpoint;
        const first = await watch.waitFor(
          (m) => telemetry(m) && m.json.heating === true,
          'telemetry with the heater on',
        );
        const warmer = await watch.waitFor(
          (m) => telemetry(m) && m.receivedAt > first.receivedAt && m.json.temperature > first.json.temperature,
          'a warmer reading',
        );
        return `heater on, ${first.json.temperature} → ${warmer.json.temperature} °C`;
      });

      await step('a rogue device with a forged token (ES256, made-up key, the real kid) is refused', async () => {
        const jwks = await fetchJson<{ keys: { kid?: string }[] }>(String(admin.metadata.jwks_uri), {}, admin.fetch);
        const forged = await forgeAccessToken({
          issuer,
          audience: IOT_RESOURCE,
          subject: 'rogue-1',
          scope: 'devices:control:* devices:read:*',
          kid: jwks.body.keys[0]?.kid,
        });
        const outcome = await tryConnect(mqtt, { clientId: 'rogue-1', password: forged });
        if (outcome.connected) {
          outcome.client.end(true);
          throw new CheckFailed('the broker accepted a forged token');
        }
        check(outcome.returnCode === 4, `expected CONNACK 4, got ${outcome.returnCode ?? outcome.reason}`);
        return 'CONNACK 4 (bad username or password): the signature is not the auth-server’s';
      });

      await step(
        `${ids.thermostat}’s token presented as ${ids.hub} (to borrow its control rights) is refused`,
        async () => {
          const outcome = await tryConnect(mqtt, {
            clientId: ids.hub,
            password: await token(ids.thermostat, 'THERMOSTAT_CLIENT_SECRET'),
          });
          if (outcome.connected) {
            outcome.client.end(true);
            throw new CheckFailed(`the broker accepted ${ids.thermostat}’s token for ${ids.hub}`);
          }
          check(outcome.returnCode === 5, `expected CONNACK 5, got ${outcome.returnCode ?? outcome.reason}`);
          check((await connected()).includes(ids.hub), `${ids.hub} lost its session`);
          return `CONNACK 5 (not authorized): its sub is ${ids.thermostat}; the real ${ids.hub} stays connected`;
        },
      );

      await step(
        `${ids.spareThermostat} (scope device: itself only) can neither watch nor command ${ids.thermostat}`,
        async () => {
          const outcome = await tryConnect(mqtt, {
            clientId: ids.spareThermostat,
            password: await token(ids.spareThermostat, 'SPARE_THERMOSTAT_CLIENT_SECRET'),
          });
          if (!outcome.connected)
            throw new CheckFailed(`${ids.spareThermostat} could not connect: CONNACK ${outcome.returnCode ?? '-'}`);
          const intruder = outcome.client;
          sessions.push(intruder);
          const [code] = await subscribe(intruder, [topics.telemetry]);
          check(code === 0x80, `SUBACK ${code} for ${topics.telemetry}, expected 128`);
          const id = `intruder-${randomUUID()}`;
          const closed = whenClosed(intruder);
          intruder.publish(
            topics.setpoint,
            JSON.stringify({ id, setpoint: 30, expiresAt: new Date(Date.now() + 60_000).toISOString() }),
            { qos: 1 },
            () => undefined,
          );
          await Promise.race([
            closed,
            sleep(5_000).then(() =>
              Promise.reject(new CheckFailed('the broker kept the connection open after a forbidden publish')),
            ),
          ]);
          await sleep(1_000);
          check(
            !watch.find((m) => m.topic === topics.ack && m.json.id === id),
            `${ids.thermostat} acknowledged the intruder’s command`,
          );
          return `SUBACK 128; its setpoint command closed its connection and never reached ${ids.thermostat} (no ack)`;
        },
      );

      await step(
        `${ids.spareThermostat} gets a token bound to its certificate at the mTLS endpoint (RFC 8705); copied to another device, it is refused`,
        async () => {
          const { certificates } = context;
          const ca = certificates.ca.certificatePem;
          const own = await certificates.device(ids.spareThermostat);
          const other = await certificates.device('rogue-2');
          const alias = (admin.metadata.mtls_endpoint_aliases as { token_endpoint?: string } | undefined)
            ?.token_endpoint;
          check(alias, 'the metadata names no mTLS token endpoint (mtls_endpoint_aliases)');
          // The alias is a public URL; the story reaches that listener at authServerMtls (the same one locally).
          const endpoint = new URL(new URL(alias).pathname, authServerMtls).href;
          const issued = await mtlsClientCredentials(
            endpoint,
            { id: ids.spareThermostat, secret: context.secrets.SPARE_THERMOSTAT_CLIENT_SECRET },
            { resource: IOT_RESOURCE },
            { ca, certificate: own },
          );
          check(issued.status === 200, `the mTLS token endpoint answered ${issued.status} ${issued.body.error ?? ''}`);
          const token = issued.body.access_token as string;
          const cnf = decodeJwt(token).cnf as Record<string, string> | undefined;
          check(cnf?.['x5t#S256'] === own.thumbprint, 'the token is not bound to the certificate (cnf.x5t#S256)');
          const withOwn = await tryConnect(mqtts, {
            clientId: ids.spareThermostat,
            password: token,
            tls: { ca, cert: own.certificatePem, key: own.privateKeyPem },
          });
          if (!withOwn.connected)
            throw new CheckFailed(`refused with its own certificate: CONNACK ${withOwn.returnCode ?? withOwn.reason}`);
          await withOwn.client.endAsync(true);
          const copied = await tryConnect(mqtts, {
            clientId: ids.spareThermostat,
            password: token,
            tls: { ca, cert: other.certificatePem, key: other.privateKeyPem },
          });
          const plain = await tryConnect(mqtt, { clientId: ids.spareThermostat, password: token });
          for (const outcome of [copied, plain]) {
            if (outcome.connected) {
              outcome.client.end(true);
              throw new CheckFailed('the broker accepted the certificate-bound token without its certificate');
            }
          }
          check(
            !copied.connected && copied.returnCode === 5 && !plain.connected && plain.returnCode === 5,
            'expected CONNACK 5 for the copied token',
          );
          return `cnf.x5t#S256 ${own.thumbprint.slice(0, 8)}…; mqtts with its certificate → CONNACK 0; with another device’s certificate → 5; over plain MQTT → 5`;
        },
      );

      await step(`disable ${ids.thermostat} at the auth-server (PATCH /api/clients/${ids.thermostat})`, async () => {
        const started = Date.now();
        await expectAnswer(
          admin.api.PATCH('/api/clients/{id}', { params: { path: { id: ids.thermostat } }, body: { disabled: true } }),
          200,
        );
        await waitFor(
          async () => !(await connected()).includes(ids.thermostat),
          `the broker to drop ${ids.thermostat}`,
          5_000,
          10,
        );
        return `the broker closed its session ${Date.now() - started} ms later (revocation feed)`;
      });

      await step(`while disabled, ${ids.thermostat} cannot get back in`, async () => {
        const attempt = await admin.clientCredentials(ids.thermostat, context.secrets.THERMOSTAT_CLIENT_SECRET, {
          resource: IOT_RESOURCE,
        });
        check(
          !attempt.ok && attempt.error === 'invalid_client',
          `the token endpoint answered ${attempt.ok ? 'a token' : attempt.error}`,
        );
        await sleep(1_500);
        check(!(await connected()).includes(ids.thermostat), `${ids.thermostat} is connected again`);
        const health = await fetchJson(thermostatHealth);
        check(health.body?.broker === 'disconnected', `${ids.thermostat} reports broker ${health.body?.broker}`);
        return 'token endpoint → 401 invalid_client; still offline 1.5 s later';
      });

      await step(`enable ${ids.thermostat} again`, async () => {
        const started = Date.now();
        await expectAnswer(
          admin.api.PATCH('/api/clients/{id}', { params: { path: { id: ids.thermostat } }, body: { disabled: false } }),
          200,
        );
        await waitFor(
          async () => (await connected()).includes(ids.thermostat),
          `${ids.thermostat} to reconnect`,
          15_000,
          50,
        );
        return `it got a fresh token and reconnected by itself ${Date.now() - started} ms later`;
      });

      const paired = ids.newThermostat;
      let userCode = '';
      let approvedAt = 0;
      await step(
        `${paired}, new and without any credential, starts and asks to be paired (device grant, RFC 8628)`,
        async () => {
          await context.startDevice('newThermostat');
          const health = await fetchJson<{ pairing?: { userCode: string; verificationUri: string } }>(
            context.config.urls.newThermostatHealth,
          );
          check(health.body.pairing, `${paired} shows no pairing code (${JSON.stringify(health.body)})`);
          userCode = health.body.pairing.userCode;
          return `its log and /health show the code ${userCode} for ${health.body.pairing.verificationUri}; the ES256 key it generated stays on it`;
        },
      );

      await step(
        `${consoleAdmin.email} (admin) enters the code in the console and approves ${paired}, letting ${ids.hub} command it`,
        async () => {
          const person = await signInToConsole(authServer, consoleAdmin.email, consoleAdmin.password);
          const shown = await person.request('POST', '/api/device/lookup', { userCode });
          expectStatus(shown, 200, 'POST /api/device/lookup');
          check(
            shown.body.kind === 'pairing' && shown.body.deviceId === paired,
            `the code names ${shown.body.kind} ${shown.body.deviceId ?? ''}`,
          );
          check(shown.body.controllers?.includes(ids.hub), `${ids.hub} is not offered as its controller`);
          expectStatus(
            await person.request('POST', '/api/device/approve', { userCode, controller: ids.hub }),
            200,
            'POST /api/device/approve',
          );
          approvedAt = Date.now();
          const client = await expectAnswer(
            admin.api.GET('/api/clients/{id}', { params: { path: { id: paired } } }),
            200,
          );
          check(
            client.tokenEndpointAuthMethod === 'private_key_jwt' && client.secrets.length === 0,
            `${paired} was registered with ${client.tokenEndpointAuthMethod} and ${client.secrets.length} secrets`,
          );
          const hubScopes = String(decodeJwt(await token(ids.hub, 'HUB_CLIENT_SECRET')).scope).split(' ');
          check(
            hubScopes.includes(`devices:control:${paired}`),
            `${ids.hub}’s token does not carry devices:control:${paired}`,
          );
          return `${paired} registered as a device client (private_key_jwt, no secret, scope device); ${ids.hub}’s tokens now carry devices:control:${paired}`;
        },
      );

      await step(`${paired} receives its registration, connects with its own key and reports`, async () => {
        await waitFor(async () => (await connected()).includes(paired), `the broker to list ${paired}`, 15_000, 50);
        const connectedAfter = Date.now() - approvedAt;
        const [code] = await subscribe(dashboard, [`devices/${paired}/telemetry`]);
        check(code < 0x80, `SUBACK ${code} for ${paired}’s telemetry`);
        const reading = await watch.waitFor(
          (m) => m.topic === `devices/${paired}/telemetry`,
          `telemetry from ${paired}`,
        );
        return `the broker lists ${paired} ${connectedAfter} ms after the approval (its next poll); the dashboard reads its telemetry (${reading.json.temperature} °C)`;
      });
    } finally {
      await Promise.all(sessions.map((session) => session.endAsync(true).catch(() => undefined)));
    }
  },
};
