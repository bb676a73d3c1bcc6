import { decodeJwt } from 'jose';
import type { MqttClient } from 'mqtt';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { loadDevicesConfig } from '../../apps/devices/src/config/devices.config.js';
import { createDeviceApp } from '../../apps/devices/src/devices.app.js';
import { DevelopmentCa, type IssuedCertificate } from '../../tools/src/certificates/development-ca.js';
import { AuthServerHarness, basicAuthorization } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { memoryLogger } from '../support/memory-logger.js';
import { attemptConnect, endAll } from '../support/mqtt-test-client.js';
import { CRM, CRM_SCOPES, ServiceBHarness } from '../support/service-b.harness.js';
import { startTestIotBroker, type TestIotBroker } from '../support/test-iot-broker.js';

const IOT = 'https://iot.tollgate.local';

/**
 * RFC 8705 for devices: the auth-server's mTLS endpoint binds a thermostat's token to the client
 * certificate it presented (`cnf.x5t#S256`), and the broker's TLS listener opens a session for that
 * token only on a connection with that certificate: the token copied to another device, or used over
 * plain MQTT, is refused. A broker that requires certificates refuses a self-signed or expired one in
 * the handshake.
 */
describe('certificate-bound device tokens (RFC 8705)', () => {
  let dir: string;
  let ca: DevelopmentCa;
  let thermostatCert: IssuedCertificate;
  let otherDeviceCert: IssuedCertificate;
  let auth: AuthServerHarness;
  let broker: TestIotBroker;
  let thermostat: { id: string; secret: string };
  let mtlsUrl: string;
  const sessions: MqttClient[] = [];

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };

  /** A client-credentials request at the mTLS endpoint, over a TLS connection presenting `certificate`. */
  function tokenOverMtls(
    client: { id: string; secret?: string },
    certificate?: IssuedCertificate,
    resource = IOT,
  ): Promise<{ status: number; body: Record<string, any> }> {
    return new Promise((resolve, reject) => {
      const request = httpsRequest(`${mtlsUrl}/oauth/token`, {
        method: 'POST',
        ca: ca.certificatePem,
        ...(certificate && { cert: certificate.certificatePem, key: certificate.privateKeyPem }),
        headers: {
          ...(client.secret && { authorization: basicAuthorization(client.id, client.secret) }),
          'content-type': 'application/x-www-form-urlencoded',
        },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      const params = { grant_type: 'client_credentials', resource, ...(!client.secret && { client_id: client.id }) };
      request.end(new URLSearchParams(params).toString());
    });
  }

  const connect = (url: string, password: string, certificate?: IssuedCertificate) =>
    attemptConnect(url, {
      clientId: thermostat.id,
      password,
      ...(/^(mqtts|wss):/.test(url) && {
        tls: {
          ca: ca.certificatePem,
          ...(certificate && { cert: certificate.certificatePem, key: certificate.privateKeyPem }),
        },
      }),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-mtls-'));
    ca = await DevelopmentCa.create();
    const server = await ca.issue({
      commonName: 'localhost',
      usage: 'server',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    thermostatCert = await ca.issue({ commonName: 'thermostat-1', usage: 'client' });
    otherDeviceCert = await ca.issue({ commonName: 'thermostat-2', usage: 'client' });
    const serverFiles = {
      TLS_CERT_FILE: file('server.crt', server.certificatePem),
      TLS_KEY_FILE: file('server.key', server.privateKeyPem),
    };
    const mtlsPort = await freePort();
    auth = await AuthServerHarness.start({
      env: { MTLS_PORT: String(mtlsPort), ...serverFiles, TLS_CLIENT_CA_FILE: file('ca.crt', ca.certificatePem) },
    });
    mtlsUrl = `https://127.0.0.1:${mtlsPort}`;
    await auth.createResource(IOT, ['device']);
    thermostat = await auth.createClient({
      id: 'thermostat-1',
      name: 'Thermostat',
      kind: 'device',
      grants: [{ resource: IOT, scopes: ['device'] }],
    });
    broker = await startTestIotBroker(auth, {
      RESOURCE_INDICATOR: IOT,
      MQTTS_PORT: '0',
      MQTT_WSS_PORT: '0',
      ...serverFiles,
      TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
    });
  });
  afterAll(async () => {
    await endAll(...sessions);
    await broker?.close();
    await auth?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('advertises its mTLS endpoint and certificate-bound tokens in the metadata', async () => {
    const metadata = (await auth.request('GET', '/.well-known/oauth-authorization-server')).body;
    expect(metadata).toMatchObject({
      tls_client_certificate_bound_access_tokens: true,
      mtls_endpoint_aliases: { token_endpoint: `${mtlsUrl}/oauth/token` },
    });
  });

  it('binds the token to the certificate, and the broker opens its session only with that certificate', async () => {
    const issued = await tokenOverMtls(thermostat, thermostatCert);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body.token_type).toBe('Bearer');
    const token = issued.body.access_token as string;
    expect(decodeJwt(token).cnf).toEqual({ 'x5t#S256': thermostatCert.thumbprint });
    expect((await auth.introspect(token, thermostat)).body.cnf).toEqual({ 'x5t#S256': thermostatCert.thumbprint });

    const own = await connect(broker.mqttsUrl!, token, thermostatCert);
    expect(own.connected).toBe(true);
    if (own.connected) sessions.push(own.client);

    const copied = await connect(broker.mqttsUrl!, token, otherDeviceCert);
    expect(copied).toMatchObject({ connected: false, returnCode: 5 });
    const overTcp = await connect(broker.mqttUrl, token);
    expect(overTcp).toMatchObject({ connected: false, returnCode: 5 });
    const withoutCertificate = await connect(broker.mqttsUrl!, token);
    expect(withoutCertificate).toMatchObject({ connected: false, returnCode: 5 });
    expect(broker.logs.some((line) => line.reason === 'certificate_mismatch')).toBe(true);
  });

  it('reports a copied token refused for its certificate to the auth-server’s audit log', async () => {
    const brokerClient = await auth.createClient({
      id: 'reporting-broker',
      name: 'Broker that reports refusals',
      grants: [{ resource: auth.managementApi, scopes: ['revocations:read', 'usage:write'] }],
    });
    const reporting = await startTestIotBroker(auth, {
      RESOURCE_INDICATOR: IOT,
      MQTTS_PORT: '0',
      TLS_CERT_FILE: join(dir, 'server.crt'),
      TLS_KEY_FILE: join(dir, 'server.key'),
      CLIENT_ID: brokerClient.id,
      CLIENT_SECRET: brokerClient.secret,
    });
    try {
      const token = (await tokenOverMtls(thermostat, thermostatCert)).body.access_token as string;
      const jti = decodeJwt(token).jti!;
      expect(await connect(reporting.mqttsUrl!, token, otherDeviceCert)).toMatchObject({ returnCode: 5 });
      expect(await connect(reporting.mqttsUrl!, token, otherDeviceCert)).toMatchObject({ returnCode: 5 });
      // Reports go out every few seconds, refusals added up per token and reason.
      let denials: Record<string, unknown>[] = [];
      await eventually(async () => {
        denials = (await auth.api('GET', `/api/audit?action=token.use.denied&credential=${jti}`)).body.items;
        expect(denials).toHaveLength(1);
      }, 15_000);
      expect(denials[0]).toMatchObject({
        outcome: 'denied',
        reason: 'certificate_mismatch',
        actor: { type: 'client', id: brokerClient.id },
        details: { count: 2, subject: thermostat.id, samples: [{ method: 'CONNECT', path: 'mqtts' }] },
      });
    } finally {
      await reporting.close();
    }
  });

  it('checks the certificate over MQTT over WebSocket over TLS (wss) as over mqtts', async () => {
    const token = (await tokenOverMtls(thermostat, thermostatCert)).body.access_token as string;
    const own = await connect(broker.wssUrl!, token, thermostatCert);
    expect(own.connected).toBe(true);
    if (own.connected) sessions.push(own.client);
    expect(await connect(broker.wssUrl!, token, otherDeviceCert)).toMatchObject({ connected: false, returnCode: 5 });
    expect(await connect(broker.wssUrl!, token)).toMatchObject({ connected: false, returnCode: 5 });
    expect(await connect(broker.wsUrl, token)).toMatchObject({ connected: false, returnCode: 5 });
  });

  it('runs a thermostat (apps/devices) over mqtts with its certificate and certificate-bound tokens', async () => {
    const device = createDeviceApp(
      loadDevicesConfig({
        DEVICE_ROLE: 'thermostat',
        CLIENT_ID: thermostat.id,
        CLIENT_SECRET: thermostat.secret,
        AUTH_ISSUER: auth.issuer,
        BROKER_URL: broker.mqttsUrl!,
        BROKER_RESOURCE: IOT,
        TLS_CERT_FILE: file('thermostat.crt', thermostatCert.certificatePem),
        TLS_KEY_FILE: file('thermostat.key', thermostatCert.privateKeyPem),
        TLS_CA_FILE: join(dir, 'ca.crt'),
        HEALTH_PORT: '0',
      }),
      { logger: memoryLogger('device:thermostat').logger },
    );
    await device.start();
    try {
      await eventually(() => expect(device.health().broker).toBe('connected'), 15_000);
      const issued = await auth.api('GET', `/api/audit?action=token.issued&actor=${thermostat.id}&limit=1`);
      expect(issued.body.items[0].details.binding).toBe('mtls');
    } finally {
      await device.stop();
    }
  });

  it('refuses a certificate-bound token at an HTTP API (the certificate ends at its proxy)', async () => {
    const crm = await ServiceBHarness.start(auth);
    try {
      await auth.createResource(CRM, CRM_SCOPES).catch(() => undefined);
      const reader = await auth.createClient({
        name: 'reader',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      });
      const token = (await tokenOverMtls(reader, thermostatCert, CRM)).body.access_token as string;
      const refused = await fetch(`${crm.url}/contacts`, { headers: { authorization: `Bearer ${token}` } });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'invalid_token' });
    } finally {
      await crm.stop();
    }
  });

  it('authenticates a client by the self-signed certificate it registered (self_signed_tls_client_auth, RFC 8705 §2.2)', async () => {
    const own = await DevelopmentCa.selfSigned('thermostat-8');
    const other = await DevelopmentCa.selfSigned('thermostat-8');
    const jwk = {
      ...(new X509Certificate(own.certificatePem).publicKey.export({ format: 'jwk' }) as Record<string, string>),
      x5c: [new X509Certificate(own.certificatePem).raw.toString('base64')],
    };
    const registered = await auth.api('POST', '/api/clients', {
      id: 'thermostat-8',
      name: 'Self-signed thermostat',
      kind: 'device',
      tokenEndpointAuthMethod: 'self_signed_tls_client_auth',
      jwks: { keys: [jwk] },
      grants: [{ resource: IOT, scopes: ['device'] }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body.clientSecret).toBeUndefined();
    const withoutX5c = await auth.api('POST', '/api/clients', {
      name: 'no certificate',
      tokenEndpointAuthMethod: 'self_signed_tls_client_auth',
      jwks: { keys: [{ ...jwk, x5c: undefined }] },
      grants: [],
    });
    expect(withoutX5c.status).toBe(400);

    const issued = await tokenOverMtls({ id: 'thermostat-8' }, own);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(decodeJwt(issued.body.access_token).cnf).toEqual({ 'x5t#S256': own.thumbprint });
    const impostor = await tokenOverMtls({ id: 'thermostat-8' }, other);
    expect(impostor).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const noCertificate = await auth.tokenRequest({ grant_type: 'client_credentials', client_id: 'thermostat-8' });
    expect(noCertificate).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const metadata = (await auth.request('GET', '/.well-known/oauth-authorization-server')).body;
    expect(metadata.token_endpoint_auth_methods_supported).toContain('self_signed_tls_client_auth');
  });

  describe('tls_client_auth (RFC 8705 §2.1): a certificate from a trusted CA that names the client', () => {
    const acme: Record<string, string[]>[] = [{ C: ['DE'] }, { O: ['Acme Devices'] }];
    const register = (body: Record<string, unknown>) =>
      auth.api('POST', '/api/clients', {
        kind: 'device',
        tokenEndpointAuthMethod: 'tls_client_auth',
        grants: [{ resource: IOT, scopes: ['device'] }],
        ...body,
      });

    it('issues a certificate-bound token to the client its CA-issued certificate names, by subject DN or SAN', async () => {
      const metadata = (await auth.request('GET', '/.well-known/oauth-authorization-server')).body;
      expect(metadata.token_endpoint_auth_methods_supported).toContain('tls_client_auth');
      const byDn = await register({
        id: 'thermostat-20',
        name: 'By subject DN',
        tlsClientAuthSubjectDn: 'CN=thermostat-20, O=Acme Devices, C=DE',
      });
      expect(byDn.status, JSON.stringify(byDn.body)).toBe(201);
      expect(byDn.body).toMatchObject({ tlsClientAuthSubjectDn: 'CN=thermostat-20, O=Acme Devices, C=DE' });
      expect(byDn.body.clientSecret).toBeUndefined();
      const certificate = await ca.issue({
        commonName: 'thermostat-20',
        subject: [...acme, { CN: ['thermostat-20'] }],
        usage: 'client',
      });
      const issued = await tokenOverMtls({ id: 'thermostat-20' }, certificate);
      expect(issued.status, JSON.stringify(issued.body)).toBe(200);
      expect(decodeJwt(issued.body.access_token).cnf).toEqual({ 'x5t#S256': certificate.thumbprint });
      const audited = await auth.api('GET', '/api/audit?action=token.issued&actor=thermostat-20&limit=1');
      expect(audited.body.items[0].details).toMatchObject({ binding: 'mtls' });

      const bySan = await register({ id: 'thermostat-21', name: 'By SAN', tlsClientAuthSanDns: 't21.devices.example' });
      expect(bySan.status, JSON.stringify(bySan.body)).toBe(201);
      const withSan = await ca.issue({ commonName: 'anything', usage: 'client', dnsNames: ['T21.devices.example'] });
      expect((await tokenOverMtls({ id: 'thermostat-21' }, withSan)).status).toBe(200);
      // The DN client's certificate does not carry the SAN client's name, and the other way round.
      expect((await tokenOverMtls({ id: 'thermostat-21' }, certificate)).status).toBe(401);
      expect((await tokenOverMtls({ id: 'thermostat-20' }, withSan)).status).toBe(401);
    });

    it('refuses a self-signed, an expired or another device’s certificate, and none at all: 401 invalid_client, audited', async () => {
      expect(
        (await register({ id: 'thermostat-22', name: 'Strict', tlsClientAuthSubjectDn: 'CN=thermostat-22' })).status,
      ).toBe(201);
      const right = await ca.issue({ commonName: 'thermostat-22', usage: 'client' });
      const cases: [string, IssuedCertificate | undefined, string][] = [
        ['self-signed', await DevelopmentCa.selfSigned('thermostat-22'), 'SELF_SIGNED'],
        ['expired', await ca.issue({ commonName: 'thermostat-22', usage: 'client', days: -1 }), 'CERT_HAS_EXPIRED'],
        ['another device’s', await ca.issue({ commonName: 'thermostat-23', usage: 'client' }), 'registered subject_dn'],
        ['no certificate', undefined, 'authentication is required'],
      ];
      for (const [name, certificate] of cases) {
        const refused = await tokenOverMtls({ id: 'thermostat-22' }, certificate);
        expect(refused, name).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      }
      const failures = await auth.api('GET', '/api/audit?action=client.auth.failed&credential=thermostat-22&limit=10');
      const reasons = failures.body.items.map((item: { reason: string }) => item.reason).join('\n');
      for (const [, certificate, reason] of cases) if (certificate) expect(reasons).toContain(reason);
      expect((await tokenOverMtls({ id: 'thermostat-22' }, right)).status).toBe(200);
    });

    it('refuses registrations that could never authenticate (400), and secrets for such a client', async () => {
      const invalid = [
        { name: 'none' },
        { name: 'two', tlsClientAuthSanDns: 'a.example', tlsClientAuthSanIp: '10.0.0.1' },
        { name: 'bad DN', tlsClientAuthSubjectDn: 'thermostat' },
        { name: 'wildcard', tlsClientAuthSanDns: '*.example' },
        { name: 'bad IP', tlsClientAuthSanIp: '10.0.0.300' },
        { name: 'with secret', tlsClientAuthSanDns: 'a.example', clientSecret: 'x'.repeat(40) },
      ];
      for (const body of invalid) {
        const refused = await register(body);
        expect(refused.status, body.name).toBe(400);
        expect(refused.body.title ?? refused.body.error, body.name).toBeDefined();
      }
      const ok = await register({ name: 'by IP', tlsClientAuthSanIp: '2001:db8::1' });
      expect(ok.status).toBe(201);
      expect((await auth.api('POST', `/api/clients/${ok.body.id}/secrets`, {})).status).toBe(400);
      const moved = await auth.api('PATCH', `/api/clients/${ok.body.id}`, { tlsClientAuthSanUri: 'spiffe://acme/t' });
      expect(moved.body).toMatchObject({ tlsClientAuthSanUri: 'spiffe://acme/t' });
      expect(moved.body.tlsClientAuthSanIp).toBeUndefined();
    });
  });

  it('never gives a client that requires certificate binding a token without one', async () => {
    const strict = await auth.createClient({
      id: 'thermostat-7',
      name: 'Strict thermostat',
      kind: 'device',
      requiredBinding: 'mtls',
      grants: [{ resource: IOT, scopes: ['device'] }],
    });
    const plain = await auth.tokenRequest({ grant_type: 'client_credentials', resource: IOT }, strict);
    expect(plain.status).toBe(400);
    expect(plain.body.error).toBe('invalid_request');
    expect((await tokenOverMtls(strict)).status).toBe(400);
    const bound = await tokenOverMtls(strict, thermostatCert);
    expect(bound.status).toBe(200);
  });

  it('refuses an address past its connection rate before any TLS handshake', async () => {
    const limited = await startTestIotBroker(auth, {
      RESOURCE_INDICATOR: IOT,
      MQTTS_PORT: '0',
      TLS_CERT_FILE: join(dir, 'server.crt'),
      TLS_KEY_FILE: join(dir, 'server.key'),
      CONNECTION_BURST: '2',
      CONNECTION_RATE_PER_SECOND: '0.01',
    });
    try {
      const port = Number(new URL(limited.mqttsUrl!).port);
      const handshake = () =>
        new Promise<'handshake' | 'refused'>((resolve) => {
          const socket = tlsConnect({ host: '127.0.0.1', port, ca: ca.certificatePem });
          socket.once('secureConnect', () => {
            socket.destroy();
            resolve('handshake');
          });
          socket.once('error', () => resolve('refused'));
          socket.once('close', () => resolve('refused'));
        });
      expect([await handshake(), await handshake(), await handshake()]).toEqual(['handshake', 'handshake', 'refused']);
    } finally {
      await limited.close();
    }
  });

  it('with certificates required, refuses a self-signed or an expired certificate in the handshake', async () => {
    const strictBroker = await startTestIotBroker(auth, {
      RESOURCE_INDICATOR: IOT,
      MQTTS_PORT: '0',
      TLS_CERT_FILE: join(dir, 'server.crt'),
      TLS_KEY_FILE: join(dir, 'server.key'),
      TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
      TLS_CLIENT_CERTIFICATE: 'required',
      MQTT_WSS_PORT: '0',
    });
    try {
      const token = (await tokenOverMtls(thermostat, thermostatCert)).body.access_token as string;
      const selfSigned = await DevelopmentCa.selfSigned('thermostat-1');
      const expired = await ca.issue({ commonName: 'thermostat-1', usage: 'client', days: -1 });
      for (const url of [strictBroker.mqttsUrl!, strictBroker.wssUrl!]) {
        for (const certificate of [selfSigned, expired, undefined]) {
          const outcome = await connect(url, token, certificate);
          // Refused in the TLS handshake: no CONNACK at all.
          expect(outcome.connected).toBe(false);
          expect(outcome.connected === false && outcome.returnCode).toBeUndefined();
        }
        const own = await connect(url, token, thermostatCert);
        expect(own.connected, url).toBe(true);
        if (own.connected) sessions.push(own.client);
      }
    } finally {
      await strictBroker.close();
    }
  });
});
